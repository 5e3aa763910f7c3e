# Shared by scripts/start and scripts/test: install missing Debian packages, then build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LORA_BUILD_DIR:-$ROOT/build}"

# What a fresh Debian 12 needs to build lora_core, lora-cli, the Qt tests and the benchmarks.
# Qt6Charts needs Qt6OpenGL's CMake files, which qt6-base-dev only recommends.
PACKAGES=(build-essential cmake pkg-config libeigen3-dev libopenblas-dev zlib1g-dev nlohmann-json3-dev
          libbenchmark-dev qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libgl-dev
          xvfb xauth)

# With arguments, installs those packages instead of PACKAGES.
install_missing_packages() {
    local wanted=("$@")
    [ ${#wanted[@]} -eq 0 ] && wanted=("${PACKAGES[@]}")
    local missing=()
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

# LORA_CMAKE_ARGS: configure arguments for every build the scripts make (build() here and
# scripts/sanitize), e.g. .ci/run's -DLORA_WERROR=ON.
read -r -a EXTRA_CMAKE_ARGS <<< "${LORA_CMAKE_ARGS:-}"

# A portable build (no -march=native): the products run in OpenBLAS, which picks its kernels
# for the CPU at run time, and the loops around them are compiled for several CPUs
# (util/simd_clones.h). -DLORA_NATIVE=ON in LORA_CMAKE_ARGS opts in to -march=native.
build() {
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLORA_NATIVE=OFF \
        "${EXTRA_CMAKE_ARGS[@]}" "$@"
    cmake --build "$BUILD" -j "$(nproc)"
}
