package main

// The containers-storage: transport (build with exclude_graphdriver_btrfs and
// exclude_graphdriver_devicemapper: no C libraries needed).
import _ "github.com/containers/image/v5/storage"
