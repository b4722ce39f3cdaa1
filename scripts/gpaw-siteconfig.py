# GPAW build configuration without MPI (ZNSCREEN_MPI=0 scripts/install.sh),
# passed as GPAW_CONFIG. Debian bookworm packages: libxc-dev,
# libopenblas-dev, libfftw3-dev. FFTW speeds up plane-wave SCF steps
# (measured 1.27x here); libxc gives the full functional library. GPAW's C
# sources are compiled as C++ (CC=g++). mpi = False: GPAW would otherwise
# enable MPI by itself wherever an mpicc is on the PATH.
mpi = False
fftw = True
libxc = True
libraries = ['xc', 'openblas', 'fftw3']
