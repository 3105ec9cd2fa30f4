//===- SourceRangeCheck.cpp - debug_pkl records LibTorch trusts ---------===//
//
// The pickle is evaluated to a small value tree (only the opcodes
// TorchScript's pickler writes), then read the way LibTorch 1.13's
// ConcreteSourceRangeUnpickler::unpickle and SourceRangeDeserializer read
// it, refusing every place where they would index unchecked or throw.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/SourceRangeCheck.h"

#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

namespace qopt::torch_import {

namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum Kind { Mark, None, Int, Str, Tuple, List, IntList, Global, Other };
  Kind kind = Other;
  int64_t i = 0;
  std::string s;               // Str; Global as "module.name"
  std::vector<ValuePtr> items; // Tuple, List, IntList
  unsigned depth = 1;          // nesting, bounded so nothing recurses deeply
};

// A debug_pkl nests 7 levels (table, records, record, range, source, list,
// int); the bound keeps a hostile pickle from nesting a million.
constexpr unsigned kMaxDepth = 32;

std::string hex(uint8_t op) {
  const char *digits = "0123456789abcdef";
  return std::string("0x") + digits[op >> 4] + digits[op & 15];
}

uint64_t littleEndian(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}

/// Evaluates the pickle to its top value, or returns null with `error` set.
/// `lists` collects every list made, so the caller can break the reference
/// cycles a pickle can build (a list appended into a tuple it contains).
ValuePtr evaluate(const uint8_t *data, size_t size, std::string &error,
                  std::vector<ValuePtr> &lists) {
  std::vector<ValuePtr> stack;
  std::unordered_map<uint64_t, ValuePtr> memo;
  size_t pos = 0;
  auto make = [](Value::Kind kind) {
    auto v = std::make_shared<Value>();
    v->kind = kind;
    return v;
  };
  auto fail = [&](const std::string &why) {
    error = why;
    return ValuePtr();
  };
  auto need = [&](size_t n) { return size - pos >= n; };
  // Pops the items above the topmost MARK, and the MARK.
  auto popToMark = [&](std::vector<ValuePtr> &out) {
    for (size_t k = stack.size(); k-- > 0;)
      if (stack[k]->kind == Value::Mark) {
        out.assign(stack.begin() + k + 1, stack.end());
        stack.resize(k);
        return true;
      }
    return false;
  };
  auto adopt = [](Value &parent, std::vector<ValuePtr> items) {
    for (const ValuePtr &v : items) {
      parent.depth = std::max(parent.depth, v->depth + 1);
      parent.items.push_back(v);
    }
    return parent.depth <= kMaxDepth;
  };
  auto tooDeep = [&] {
    return fail("values nest deeper than " + std::to_string(kMaxDepth) +
                " levels at byte " + std::to_string(pos - 1));
  };
  auto noMark = [&](uint8_t op) {
    return fail("opcode " + hex(op) + " at byte " + std::to_string(pos - 1) +
                " has no MARK before it");
  };
  auto shortStack = [&](uint8_t op) {
    return fail("opcode " + hex(op) + " at byte " + std::to_string(pos - 1) +
                " finds too few values on the stack");
  };
  auto truncated = [&](uint8_t op) {
    return fail("opcode " + hex(op) + " at byte " + std::to_string(pos - 1) +
                " runs past the end of the record");
  };

  while (pos < size) {
    uint8_t op = data[pos++];
    switch (op) {
    case '.': // STOP
      if (stack.size() != 1 || stack.back()->kind == Value::Mark)
        return fail("the pickle stops with " + std::to_string(stack.size()) +
                    " values on its stack, not one");
      return stack.back();
    case 0x80: // PROTO
      if (!need(1))
        return truncated(op);
      pos += 1;
      break;
    case '(': // MARK
      stack.push_back(make(Value::Mark));
      break;
    case 'N': // NONE
      stack.push_back(make(Value::None));
      break;
    case 0x88: case 0x89: case 'G': // NEWTRUE, NEWFALSE, BINFLOAT
      if (op == 'G') {
        if (!need(8))
          return truncated(op);
        pos += 8;
      }
      stack.push_back(make(Value::Other));
      break;
    case 'K': case 'M': case 'J': { // BININT1, BININT2, BININT
      unsigned n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
      if (!need(n))
        return truncated(op);
      uint64_t raw = littleEndian(data + pos, n);
      pos += n;
      auto v = make(Value::Int);
      v->i = op == 'J' ? (int64_t)(int32_t)(uint32_t)raw : (int64_t)raw;
      stack.push_back(v);
      break;
    }
    case 0x8a: { // LONG1: n bytes of two's complement, little-endian
      if (!need(1))
        return truncated(op);
      unsigned n = data[pos++];
      if (!need(n))
        return truncated(op);
      auto v = make(Value::Other); // LibTorch refuses more than 8 bytes
      if (n <= 8) {
        uint64_t raw = littleEndian(data + pos, n);
        if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80))
          raw |= ~uint64_t(0) << (8 * n);
        v->kind = Value::Int;
        v->i = (int64_t)raw;
      }
      pos += n;
      stack.push_back(v);
      break;
    }
    case 'X': case 0x8c: case 0x8d: { // BINUNICODE, SHORT_, BINUNICODE8
      unsigned lb = op == 0x8c ? 1 : op == 0x8d ? 8 : 4;
      if (!need(lb))
        return truncated(op);
      uint64_t n = littleEndian(data + pos, lb);
      pos += lb;
      if (n > size - pos)
        return truncated(op);
      auto v = make(Value::Str);
      v->s.assign(reinterpret_cast<const char *>(data + pos), n);
      pos += n;
      stack.push_back(v);
      break;
    }
    case ')': // EMPTY_TUPLE
      stack.push_back(make(Value::Tuple));
      break;
    case 't': case 0x85: case 0x86: case 0x87: { // TUPLE, TUPLE1-3
      std::vector<ValuePtr> items;
      if (op == 't') {
        if (!popToMark(items))
          return noMark(op);
      } else {
        size_t n = op - 0x84;
        if (stack.size() < n)
          return shortStack(op);
        items.assign(stack.end() - n, stack.end());
        stack.resize(stack.size() - n);
        for (const ValuePtr &v : items)
          if (v->kind == Value::Mark)
            return shortStack(op);
      }
      auto t = make(Value::Tuple);
      if (!adopt(*t, std::move(items)))
        return tooDeep();
      stack.push_back(t);
      break;
    }
    case ']': // EMPTY_LIST
      stack.push_back(make(Value::List));
      lists.push_back(stack.back());
      break;
    case 'a': case 'e': { // APPEND, APPENDS
      std::vector<ValuePtr> items;
      if (op == 'a') {
        if (stack.size() < 2 || stack.back()->kind == Value::Mark)
          return shortStack(op);
        items.push_back(stack.back());
        stack.pop_back();
      } else if (!popToMark(items)) {
        return noMark(op);
      }
      if (stack.empty() || stack.back()->kind != Value::List)
        return fail("opcode " + hex(op) + " at byte " +
                    std::to_string(pos - 1) + " appends to a non-list");
      if (!adopt(*stack.back(), std::move(items)))
        return tooDeep();
      break;
    }
    case 'c': { // GLOBAL: module\nname\n
      const void *a = std::memchr(data + pos, '\n', size - pos);
      const void *b =
          a ? std::memchr(static_cast<const uint8_t *>(a) + 1, '\n',
                          data + size - static_cast<const uint8_t *>(a) - 1)
            : nullptr;
      if (!b)
        return truncated(op);
      auto g = make(Value::Global);
      g->s.assign(reinterpret_cast<const char *>(data + pos),
                  static_cast<const uint8_t *>(b) - data - pos);
      g->s[static_cast<const uint8_t *>(a) - data - pos] = '.';
      pos = static_cast<const uint8_t *>(b) - data + 1;
      stack.push_back(g);
      break;
    }
    case 'R': { // REDUCE: only torch.jit._pickle.build_intlist((list,))
      if (stack.size() < 2)
        return shortStack(op);
      ValuePtr args = stack.back(), callable = stack[stack.size() - 2];
      stack.resize(stack.size() - 2);
      if (callable->kind != Value::Global ||
          callable->s != "torch.jit._pickle.build_intlist")
        return fail("REDUCE at byte " + std::to_string(pos - 1) +
                    " calls something other than "
                    "torch.jit._pickle.build_intlist");
      if (args->kind != Value::Tuple || args->items.size() != 1 ||
          args->items[0]->kind != Value::List)
        return fail("build_intlist at byte " + std::to_string(pos - 1) +
                    " is not given one list");
      auto l = make(Value::IntList);
      for (const ValuePtr &v : args->items[0]->items)
        if (v->kind != Value::Int)
          return fail("build_intlist at byte " + std::to_string(pos - 1) +
                      " is given a list holding a value that is not an int");
      l->items = args->items[0]->items;
      stack.push_back(l);
      break;
    }
    case 'q': case 'r': case 0x94: { // BINPUT, LONG_BINPUT, MEMOIZE
      unsigned n = op == 'q' ? 1 : op == 'r' ? 4 : 0;
      if (!need(n))
        return truncated(op);
      if (stack.empty() || stack.back()->kind == Value::Mark)
        return shortStack(op);
      uint64_t id = n ? littleEndian(data + pos, n) : memo.size();
      memo[id] = stack.back();
      pos += n;
      break;
    }
    case 'h': case 'j': { // BINGET, LONG_BINGET
      unsigned n = op == 'h' ? 1 : 4;
      if (!need(n))
        return truncated(op);
      auto it = memo.find(littleEndian(data + pos, n));
      if (it == memo.end())
        return fail("opcode " + hex(op) + " at byte " +
                    std::to_string(pos - 1) + " reads a memo entry never "
                    "stored");
      stack.push_back(it->second);
      pos += n;
      break;
    }
    default:
      return fail("opcode " + hex(op) + " at byte " + std::to_string(pos - 1) +
                  " is not one TorchScript writes in a debug_pkl");
    }
  }
  return fail("the pickle ends without a STOP opcode");
}

/// Reads the records as SourceRangeDeserializer does.
bool checkRecords(const Value &top, std::string &error) {
  if (top.kind != Value::Tuple || top.items.empty()) {
    error = "is not a non-empty tuple of source-range records";
    return false;
  }
  const Value *records = &top;
  // The string table, when the pickle has one; LibTorch uses it only when
  // it is non-empty, and reads each entry as a string.
  std::vector<size_t> table;
  if (top.items[0]->kind == Value::Str &&
      top.items[0]->s == "FORMAT_WITH_STRING_TABLE") {
    if (top.items.size() < 3 || top.items[1]->kind != Value::Tuple ||
        top.items[2]->kind != Value::Tuple) {
      error = "has FORMAT_WITH_STRING_TABLE but not a string table and a "
              "tuple of records after it";
      return false;
    }
    for (size_t k = 0; k < top.items[1]->items.size(); ++k) {
      const Value &s = *top.items[1]->items[k];
      if (s.kind != Value::Str) {
        error = "string table entry " + std::to_string(k) +
                " is not a string";
        return false;
      }
      table.push_back(s.s.size());
    }
    records = top.items[2].get();
  }
  auto inTable = [&](int64_t index) {
    return index >= 0 && (uint64_t)index < table.size();
  };
  for (size_t r = 0; r < records->items.size(); ++r) {
    const Value &rec = *records->items[r];
    std::string at = "record " + std::to_string(r);
    // (byte offset, range) in old archives, (byte offset, range, tag) now.
    if (rec.kind != Value::Tuple || rec.items.size() < 2 ||
        rec.items[0]->kind != Value::Int) {
      error = at + " is not (byte offset, source range, tag)";
      return false;
    }
    const Value &range = *rec.items[1];
    if (range.kind != Value::Tuple || range.items.size() != 3 ||
        range.items[0]->kind != Value::Tuple ||
        range.items[0]->items.size() != 3 ||
        range.items[1]->kind != Value::Int ||
        range.items[2]->kind != Value::Int) {
      error = at + ": the range is not (source, start, end)";
      return false;
    }
    const std::vector<ValuePtr> &source = range.items[0]->items;
    uint64_t length = 0;
    if (!table.empty()) {
      if (source[0]->kind != Value::IntList ||
          source[1]->kind != Value::Int || source[2]->kind != Value::Int) {
        error = at + ": the source is not (List[int] text, int filename, "
                     "int line)";
        return false;
      }
      if (!inTable(source[1]->i)) {
        error = at + ": filename index " + std::to_string(source[1]->i) +
                " is outside the string table of " +
                std::to_string(table.size()) + " entries";
        return false;
      }
      for (const ValuePtr &index : source[0]->items) {
        if (!inTable(index->i)) {
          error = at + ": text index " + std::to_string(index->i) +
                  " is outside the string table of " +
                  std::to_string(table.size()) + " entries";
          return false;
        }
        length += table[index->i];
      }
    } else {
      if (source[0]->kind != Value::Str ||
          (source[1]->kind != Value::Str && source[1]->kind != Value::None) ||
          source[2]->kind != Value::Int) {
        error = at + ": the source is not (str text, Optional[str] "
                     "filename, int line)";
        return false;
      }
      length = source[0]->s.size();
    }
    // Highlighting a range walks the text back from its start unchecked;
    // LibTorch clamps the end to the text ("some ranges extend past the
    // length of the source": torch.jit.trace writes [0, 1) over an empty
    // text), but an end before the start makes its length wrap.
    int64_t start = range.items[1]->i, end = range.items[2]->i;
    if (start < 0 || (uint64_t)start > length || end < start) {
      error = at + ": the range [" + std::to_string(start) + ", " +
              std::to_string(end) + ") does not start inside its source of " +
              std::to_string(length) + " bytes, or ends before it starts";
      return false;
    }
  }
  return true;
}

} // namespace

bool checkSourceRangePickle(const uint8_t *data, size_t size,
                            std::string &error) {
  std::vector<ValuePtr> lists;
  ValuePtr top = evaluate(data, size, error, lists);
  bool ok = top && checkRecords(*top, error);
  for (const ValuePtr &l : lists) // a list can hold a tuple holding it
    l->items.clear();
  return ok;
}

} // namespace qopt::torch_import
