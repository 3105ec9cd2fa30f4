//===- CheckpointRename.cpp -----------------------------------------------===//

#include "runtime/CheckpointRename.h"

#include <fstream>
#include <map>
#include <set>

namespace qrt {

namespace {

struct Name {
  std::string text;
  int line;
};

Expected<std::vector<Name>> readNames(const std::string &path) {
  std::ifstream f(path);
  if (!f)
    return ioError(path + ": cannot read the list of names");
  std::vector<Name> names;
  std::string line;
  for (int number = 1; std::getline(f, line); ++number) {
    // Tolerate CRLF files and trailing blanks; names themselves keep
    // their inner spaces.
    while (!line.empty() &&
           (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#')
      continue;
    names.push_back({line.substr(start), number});
  }
  if (f.bad())
    return ioError(path + ": read error");
  return names;
}

bool startsWith(const std::string &s, const std::string &prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

Expected<std::vector<RenameRule>> readRenameRules(const std::string &fromPath,
                                                  const std::string &toPath) {
  Expected<std::vector<Name>> from = readNames(fromPath);
  if (!from)
    return from.status();
  Expected<std::vector<Name>> to = readNames(toPath);
  if (!to)
    return to.status();
  if (from->size() != to->size())
    return invalidArgument(
        fromPath + " has " + std::to_string(from->size()) + " names but " +
        toPath + " has " + std::to_string(to->size()) +
        ": the name on line i of one is renamed to line i of the other");
  std::vector<RenameRule> rules;
  for (size_t i = 0; i < from->size(); ++i) {
    const Name &a = (*from)[i], &b = (*to)[i];
    RenameRule r;
    r.where = fromPath + ":" + std::to_string(a.line);
    bool pa = a.text.back() == '*', pb = b.text.back() == '*';
    if (pa != pb)
      return invalidArgument(r.where + ": '" + a.text + "' and " + toPath +
                             ":" + std::to_string(b.line) + ": '" + b.text +
                             "': a prefix (ending in '*') must be renamed to "
                             "a prefix");
    r.prefix = pa;
    r.from = pa ? a.text.substr(0, a.text.size() - 1) : a.text;
    r.to = pb ? b.text.substr(0, b.text.size() - 1) : b.text;
    if (r.from.find('*') != std::string::npos ||
        r.to.find('*') != std::string::npos)
      return invalidArgument(r.where + ": '*' may only end a name");
    if (r.from.empty() && !r.prefix)
      return invalidArgument(r.where + ": empty name");
    rules.push_back(std::move(r));
  }
  return rules;
}

Expected<Checkpoint>
renameTensors(const Checkpoint &ckpt, const std::vector<RenameRule> &rules,
              const std::string &ckptName,
              std::vector<std::pair<std::string, std::string>> *renamed) {
  Checkpoint out;
  out.meta = ckpt.meta;
  std::vector<bool> used(rules.size(), false);
  // New name -> the old name it came from, to name both sides of a clash.
  std::map<std::string, std::string> origin;
  for (const auto &[name, tensor] : ckpt.tensors) {
    std::string target = name;
    for (size_t i = 0; i < rules.size(); ++i) {
      const RenameRule &r = rules[i];
      if (r.prefix ? startsWith(name, r.from) : name == r.from) {
        target = r.to + name.substr(r.from.size());
        used[i] = true;
        break;
      }
    }
    if (target.empty())
      return invalidArgument(ckptName + ": '" + name +
                             "' would be renamed to an empty name");
    auto [it, fresh] = origin.emplace(target, name);
    if (!fresh)
      return invalidArgument(ckptName + ": '" + it->second + "' and '" + name +
                             "' would both be named '" + target + "'");
    if (renamed && target != name)
      renamed->emplace_back(name, target);
    out.tensors.emplace_back(target, tensor);
  }
  for (size_t i = 0; i < rules.size(); ++i)
    if (!used[i])
      return invalidArgument(rules[i].where + ": '" + rules[i].from +
                             (rules[i].prefix ? "*" : "") +
                             "' names no tensor of " + ckptName);
  return out;
}

} // namespace qrt
