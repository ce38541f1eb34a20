#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (Fuzz/*.swift) against the library's own sources.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 600: ten minutes each)
# Corpora live in Tests/Fuzz/corpus-*; crashes are written to Tests/Fuzz/crashes/ and must become
# regression cases (Tests/Fuzz/regressions/*) before they are fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
out=.build-fuzz
mkdir -p "$out" Tests/Fuzz/crashes
model="Sources/Registry/Model/JSONValue.swift Sources/Registry/Model/JSONParser.swift Sources/Registry/Model/JSONWriter.swift Sources/Registry/Model/JSONPointer.swift Sources/Registry/Model/MergePatch.swift"
validation="Sources/Registry/Validation/Diagnostic.swift Sources/Registry/Validation/Validator.swift Sources/Registry/Validation/SecretScanner.swift Sources/Registry/Validation/FunctionSchema.swift Sources/Registry/Validation/LambdaLimits.generated.swift"
support="Sources/Registry/RegistryError.swift Sources/Registry/Diff/JSONPatch.swift"
swiftc -O -suppress-warnings -sanitize=fuzzer,address -parse-as-library $model $validation $support Fuzz/FuzzJSON.swift -o "$out/fuzz-json"
swiftc -O -suppress-warnings -sanitize=fuzzer,address -parse-as-library $model $support Sources/Registry/Validation/Diagnostic.swift Sources/Registry/Query/Point.swift Sources/Registry/Store/Revision.swift Fuzz/FuzzPoint.swift -o "$out/fuzz-point"
for target in json point; do
  echo "== fuzz-$target for ${seconds}s"
  "$out/fuzz-$target" -max_total_time="$seconds" -max_len=65536 -artifact_prefix=Tests/Fuzz/crashes/ -print_final_stats=1 Tests/Fuzz/corpus-$target 2>&1 | tail -12
done
