package main

// The containers-storage: transport (build with exclude_graphdriver_btrfs and
// exclude_graphdriver_devicemapper: no C libraries needed).
import _ "go.podman.io/image/v5/storage"
