#!/usr/bin/env bash
# npm run lint: ESLint (with types: the slow one) beside Prettier and the layer rules, on two
# cores at once; fails when any of them fails, after all three have said why.
set -uo pipefail
cd "$(dirname "$0")/.."
npx eslint . &
eslint=$!
npx prettier --check .
prettier=$?
npx depcruise libs apps
depcruise=$?
wait "$eslint"
eslint=$?
exit $((eslint || prettier || depcruise))
