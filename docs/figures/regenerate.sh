#!/bin/sh
# Regenerates the figures of README.md's gallery: runs each experiment at the papers' settings
# (the defaults of `bilevel run NAME`) and copies its PNG figures into docs/figures/.
# Run from anywhere: `sh docs/figures/regenerate.sh` (about 20 minutes on 2 CPU cores);
# `sh docs/figures/regenerate.sh c1 fig9` regenerates only those experiments.
set -eu
cd "$(dirname "$0")/../.."
out=target/figures
run() {
    name=$1
    shift
    cargo run --release --quiet --bin bilevel -- run "$name" --quiet --out "$out/$name" "$@"
}
ALL="${*:-fig9 fig10 example1 table7 hyperclean c1 table4 fig5 fig1 fig4}"
for name in $ALL; do
    case $name in
    table7) run table7 --data data/diabetes.libsvm ;;
    table4) run table4 --data data/nlsy79.csv ;;
    *) run "$name" ;;
    esac
    cp "$out/$name"/*.png docs/figures/
    echo "$name: $(ls "$out/$name"/*.png | tr '\n' ' ')"
done
