# GPAW build configuration with MPI (OpenMPI), used by scripts/install.sh
# unless ZNSCREEN_MPI=0. Debian bookworm packages: libxc-dev,
# libopenblas-dev, libfftw3-dev, openmpi-bin, libopenmpi-dev.
# The C sources are compiled as C++ through OpenMPI's wrapper (mpicxx).
# A GPAW built this way still runs as one process without mpiexec.
mpi = True
compiler = 'mpicxx'
fftw = True
libxc = True
libraries = ['xc', 'openblas', 'fftw3']
