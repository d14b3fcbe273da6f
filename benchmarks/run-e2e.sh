#!/bin/sh
# The end-to-end benchmark of issue 13 in one command, from the repository root:
#   benchmarks/run-e2e.sh [--runs N] [--no-docker]
# Builds the CLI jar (and launcher) and the benchmarks jar through the reactor (never mvn install),
# then times Berth against docker plugin and the curl/tar/gzip floor on loopback registries.
# Results: benchmarks/target/e2e/e2e-<time>.{md,csv,svg}; the table is also printed.
set -eu
cd "$(dirname "$0")/.."
./mvnw -B -q -pl cli,benchmarks -am package -DskipTests
exec java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.e2e.Harness --jar cli/target/berth.jar "$@"
