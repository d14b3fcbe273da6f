#!/bin/sh
# Package-time step (exec-maven-plugin, after the shade): puts the launcher next to berth.jar and
# builds berth.jsa, a static AppCDS archive of the classes a few training commands load (--help, help,
# ls, create of a tiny plugin, inspect), with the JDK that runs the build. Failing to build the archive
# is not an error: the launcher then runs plain java -jar.
#   build-cds.sh JAVA_HOME TARGET_DIR SAMPLE_CONFIG
set -u
jhome=$(readlink -f "$1")
target=$(readlink -f "$2")
config=$3
java="$jhome/bin/java"
cp "$(dirname "$0")/berth" "$target/berth" && chmod 755 "$target/berth" || exit 1
rm -f "$target/berth.jsa" "$target/berth.jsa.jdk"
train=$(mktemp -d "${TMPDIR:-/tmp}/berth-cds-XXXXXX") || exit 0
trap 'rm -rf "$train"' EXIT
mkdir -p "$train/ctx/rootfs/bin" && cp "$config" "$train/ctx/config.json" && echo train > "$train/ctx/rootfs/bin/marker"
jar="$target/berth.jar"
run() {
    "$java" -XX:DumpLoadedClassList="$train/run$((n = ${n:-0} + 1)).lst" -jar "$jar" --root "$train/root" --exec-root "$train/exec" "$@" \
        > /dev/null 2>&1 </dev/null
}
run --help
run help # the model of every subcommand (--help itself is pre-rendered and needs none)
run ls
run create localhost/berth-cds/train:1 "$train/ctx"
run inspect localhost/berth-cds/train:1
run rm localhost/berth-cds/train:1
cat "$train"/*.lst 2>/dev/null | sort -u > "$train/classes.lst"
if [ ! -s "$train/classes.lst" ]; then
    echo "berth: no class list, launcher will run without AppCDS" >&2
    exit 0
fi
if "$java" -Xshare:dump -XX:SharedClassListFile="$train/classes.lst" -XX:SharedArchiveFile="$target/berth.jsa" \
        -cp "$jar" > "$train/dump.log" 2>&1; then
    echo "$jhome $(stat -L -c '%s %Y' "$jhome/lib/server/libjvm.so" "$jar" | tr '\n' ' ')" > "$target/berth.jsa.jdk"
else
    echo "berth: AppCDS dump failed (see below), launcher will run without it" >&2
    tail -5 "$train/dump.log" >&2
    rm -f "$target/berth.jsa"
fi
exit 0
