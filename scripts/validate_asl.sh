#!/usr/bin/env bash
# Validates every Step Functions definition (statemachine/*.asl.json) with asl-validator
# (pinned). `sam validate --lint` does not look inside DefinitionUri files.
# The ${...} DefinitionSubstitutions are replaced first, so the validator checks the real
# structure: ${...Arn} with a well-formed Lambda ARN, the others with a value of the kind
# template.yaml gives them (an unknown name fails here, so a new one gets a sample value).
set -euo pipefail
cd "$(dirname "$0")/.."
ASL_VALIDATOR_VERSION=4.0.0
shopt -s nullglob
files=(statemachine/*.asl.json)
if ((${#files[@]} == 0)); then
  echo "validate_asl: no statemachine/*.asl.json found" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
args=()
for file in "${files[@]}"; do
  substituted="$scratch/$(basename "$file")"
  sed -E \
    -e 's/\$\{([A-Za-z0-9]+Arn)\}/arn:aws:lambda:us-east-1:123456789012:function:\1/g' \
    -e 's/\$\{BucketName\}/stack-123456789012-media/g' \
    -e 's/\$\{BatchExecutionType\}/STANDARD/g' \
    -e 's/\$\{BatchMaxConcurrency\}/20/g' \
    -e 's/\$\{BatchToleratedFailurePercentage\}/5/g' \
    "$file" >"$substituted"
  if grep -o '\${[A-Za-z0-9]*}' "$substituted"; then
    echo "validate_asl: $file has a substitution without a sample value (see above)" >&2
    exit 1
  fi
  args+=(--json-path "$substituted")
done
# npm's own warnings go to stderr; the validator's verdict to stdout.
npx --yes "asl-validator@${ASL_VALIDATOR_VERSION}" "${args[@]}" 2> >(grep -v "Unknown user config" >&2)
echo "validate_asl: ${#files[@]} definition(s) valid (asl-validator ${ASL_VALIDATOR_VERSION})"
