//===- PolicySelector.cpp - which layers a per-layer option selects -------===//
//
// `layer.<selector>.<option>=<value>`: the selector is one or several
// alternatives separated by `|`, each a layer index, an index range, a
// layer name or a glob over the names. The grammar is in docs/policy.md.
//
//===----------------------------------------------------------------------===//

#include "passes/Policy.h"

#include "llvm/Support/GlobPattern.h"

using namespace llvm;
using namespace qopt;
using namespace qopt::policy;

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// `A:B`, either end optional: the half-open range [A, B) of indices,
/// negative ends counting from the end (Python's slice).
static bool parseRange(StringRef alt, std::optional<int64_t> &lo,
                       std::optional<int64_t> &hi) {
  auto [a, b] = alt.split(':');
  if (!alt.contains(':') || b.contains(':'))
    return false;
  int64_t v;
  if (!a.empty()) {
    if (a.getAsInteger(10, v))
      return false;
    lo = v;
  }
  if (!b.empty()) {
    if (b.getAsInteger(10, v))
      return false;
    hi = v;
  }
  return true;
}

static bool isGlob(StringRef alt) {
  return alt.find_first_of("*?[") != StringRef::npos;
}

SmallVector<StringRef> policy::selectorAlternatives(StringRef selector) {
  SmallVector<StringRef> alts;
  selector.split(alts, '|', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
  return alts;
}

Error policy::checkSelector(StringRef selector) {
  for (StringRef alt : selectorAlternatives(selector)) {
    if (alt.empty())
      return fail("layer selector '" + selector + "' has an empty alternative");
    if (isGlob(alt))
      if (Expected<GlobPattern> g = GlobPattern::create(alt); !g)
        return fail("layer selector '" + alt +
                    "' is not a valid glob: " + toString(g.takeError()));
  }
  return Error::success();
}

bool policy::alternativeMatches(StringRef alt, int64_t index, StringRef name,
                                int64_t numLayers) {
  if (!name.empty() && alt == name)
    return true;
  auto resolve = [&](int64_t i) { return i < 0 ? numLayers + i : i; };
  int64_t i;
  if (!alt.getAsInteger(10, i))
    return resolve(i) == index;
  std::optional<int64_t> lo, hi;
  if (parseRange(alt, lo, hi))
    return index >= (lo ? resolve(*lo) : 0) &&
           index < (hi ? resolve(*hi) : numLayers);
  if (isGlob(alt) && !name.empty())
    if (Expected<GlobPattern> g = GlobPattern::create(alt))
      return g->match(name);
    else
      consumeError(g.takeError());
  return false;
}
