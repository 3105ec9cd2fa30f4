//===- PickleCheck.cpp - lengths in a pickle against its size -------------===//

#include "frontend/torchscript/PickleCheck.h"

#include <cstring>
#include <unordered_map>

namespace qopt::torch_import {

namespace {
uint64_t littleEndian(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}
} // namespace

bool checkPickleLengths(const uint8_t *data, size_t size, std::string &error) {
  size_t pos = 0;
  auto tooLong = [&](uint8_t op, uint64_t length) {
    error = "a pickle opcode 0x" +
            std::string(1, "0123456789abcdef"[op >> 4]) +
            std::string(1, "0123456789abcdef"[op & 15]) + " at byte " +
            std::to_string(pos) + " declares " + std::to_string(length) +
            " bytes, but " + std::to_string(size - pos) + " remain";
    return false;
  };
  size_t ops = 0;
  while (pos < size) {
    uint8_t op = data[pos++];
    ++ops;
    unsigned fixed = 0;     // bytes of a fixed-size argument
    unsigned lengthOf = 0;  // bytes of a length prefix, then that many bytes
    unsigned lines = 0;     // newline-terminated arguments
    switch (op) {
    case '.': // STOP
      return true;
    // No argument.
    case '(': case '0': case '1': case '2': case 'N': case 'R': case 'a':
    case 'b': case 'd': case '}': case 'e': case 'l': case ']': case 'o':
    case 's': case 't': case ')': case 'u': case 'Q': case 0x81: case 0x85:
    case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90:
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x97: case 0x98:
      break;
    // A fixed-size argument.
    case 0x80: case 'K': case 'h': case 'q': case 0x82: // PROTO, 1 byte
      fixed = 1;
      break;
    case 'M': case 0x83: // BININT2, EXT2
      fixed = 2;
      break;
    case 'J': case 'j': case 'r': case 0x84: // BININT, LONG_BINGET/PUT, EXT4
      fixed = 4;
      break;
    case 'G': case 0x95: // BINFLOAT, FRAME
      fixed = 8;
      break;
    // A length, then that many bytes.
    case 'U': case 0x8c: case 'C': case 0x8a: // SHORT_BIN*, LONG1
      lengthOf = 1;
      break;
    case 'T': case 'X': case 'B': case 0x8b: // BINSTRING, BINUNICODE, ...
      lengthOf = 4;
      break;
    case 0x8d: case 0x8e: case 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
      lengthOf = 8;
      break;
    // Text arguments up to a newline.
    case 'I': case 'L': case 'F': case 'S': case 'V': case 'P': case 'g':
    case 'p':
      lines = 1;
      break;
    case 'c': case 'i': // GLOBAL, INST: module and name
      lines = 2;
      break;
    default:
      error = "unknown pickle opcode 0x" +
              std::string(1, "0123456789abcdef"[op >> 4]) +
              std::string(1, "0123456789abcdef"[op & 15]) + " at byte " +
              std::to_string(pos - 1);
      return false;
    }
    if (fixed) {
      if (size - pos < fixed)
        return tooLong(op, fixed);
      // BINPUT / LONG_BINPUT: the unpickler grows its memo table to the
      // id. Picklers number memo entries from 0, one per opcode that
      // stores one, so an id is below the opcodes read so far.
      if (op == 'q' || op == 'r') {
        uint64_t id = littleEndian(data + pos, fixed);
        if (id >= ops) {
          error = "a pickle memo id " + std::to_string(id) + " at byte " +
                  std::to_string(pos - 1) + " exceeds the " +
                  std::to_string(ops) + " opcodes before it";
          return false;
        }
      }
      pos += fixed;
    } else if (lengthOf) {
      if (size - pos < lengthOf)
        return tooLong(op, lengthOf);
      uint64_t length = littleEndian(data + pos, lengthOf);
      pos += lengthOf;
      if (length > size - pos)
        return tooLong(op, length);
      pos += length;
    }
    for (; lines > 0; --lines) {
      const void *nl = std::memchr(data + pos, '\n', size - pos);
      if (!nl) {
        error = "a pickle's text argument at byte " + std::to_string(pos) +
                " has no end of line";
        return false;
      }
      pos = static_cast<const uint8_t *>(nl) - data + 1;
    }
  }
  error = "the pickle ends without a STOP opcode";
  return false;
}

namespace {

/// What the storage walk knows of a stack entry.
struct PValue {
  enum Kind { Mark, Str, Int, Global, Tuple, Other } kind = Other;
  std::string text; // Str; Global as "module.name"
  int64_t value = 0; // Int
  std::vector<PValue> items; // Tuple (up to kMaxTuple items, else Other)
};
constexpr size_t kMaxTuple = 8;

int64_t storageElementBytes(const std::string &type) {
  static const std::unordered_map<std::string, int64_t> bytes = {
      {"FloatStorage", 4},   {"DoubleStorage", 8},  {"HalfStorage", 2},
      {"BFloat16Storage", 2}, {"LongStorage", 8},   {"IntStorage", 4},
      {"ShortStorage", 2},   {"CharStorage", 1},    {"ByteStorage", 1},
      {"BoolStorage", 1},    {"ComplexFloatStorage", 8},
      {"ComplexDoubleStorage", 16}, {"QInt8Storage", 1},
      {"QUInt8Storage", 1},  {"QInt32Storage", 4}};
  auto it = bytes.find(type);
  return it == bytes.end() ? 0 : it->second;
}

} // namespace

std::vector<PickleStorage> pickleStorages(const uint8_t *data, size_t size,
                                          bool &complete) {
  std::vector<PickleStorage> found;
  std::vector<PValue> stack;
  std::unordered_map<uint64_t, PValue> memo;
  complete = false;
  size_t pos = 0;
  auto need = [&](size_t n) { return size - pos >= n; };
  auto popToMark = [&](std::vector<PValue> &out) {
    for (size_t i = stack.size(); i-- > 0;)
      if (stack[i].kind == PValue::Mark) {
        out.assign(std::make_move_iterator(stack.begin() + i + 1),
                   std::make_move_iterator(stack.end()));
        stack.resize(i);
        return true;
      }
    return false;
  };
  auto pop = [&](size_t n) {
    if (stack.size() < n)
      return false;
    stack.resize(stack.size() - n);
    return true;
  };
  auto pushTuple = [&](std::vector<PValue> items) {
    PValue t;
    if (items.size() <= kMaxTuple) {
      t.kind = PValue::Tuple;
      t.items = std::move(items);
    }
    stack.push_back(std::move(t));
  };
  auto other = [&] { stack.push_back(PValue()); };
  while (pos < size) {
    uint8_t op = data[pos++];
    switch (op) {
    case '.': // STOP
      complete = true;
      return found;
    case 0x80: // PROTO
      if (!need(1))
        return found;
      pos += 1;
      break;
    case 0x95: // FRAME
      if (!need(8))
        return found;
      pos += 8;
      break;
    case '(': { // MARK
      PValue m;
      m.kind = PValue::Mark;
      stack.push_back(m);
      break;
    }
    case ')': // EMPTY_TUPLE
      pushTuple({});
      break;
    case 't': { // TUPLE
      std::vector<PValue> items;
      if (!popToMark(items))
        return found;
      pushTuple(std::move(items));
      break;
    }
    case 0x85: case 0x86: case 0x87: { // TUPLE1-3
      size_t n = op - 0x84;
      if (stack.size() < n)
        return found;
      std::vector<PValue> items(std::make_move_iterator(stack.end() - n),
                                std::make_move_iterator(stack.end()));
      stack.resize(stack.size() - n);
      pushTuple(std::move(items));
      break;
    }
    case ']': case '}': case 'N': case 0x88: case 0x89: case 0x8f:
      other(); // EMPTY_LIST, EMPTY_DICT, NONE, NEWTRUE, NEWFALSE, EMPTY_SET
      break;
    case 'a': // APPEND
      if (!pop(1))
        return found;
      break;
    case 's': // SETITEM
      if (!pop(2))
        return found;
      break;
    case 'e': case 'u': case 0x90: case '1': { // APPENDS, SETITEMS, ADDITEMS,
      std::vector<PValue> items;               // POP_MARK
      if (!popToMark(items))
        return found;
      break;
    }
    case 'l': case 'd': case 0x91: { // LIST, DICT, FROZENSET
      std::vector<PValue> items;
      if (!popToMark(items))
        return found;
      other();
      break;
    }
    case '0': // POP
      if (!pop(1))
        return found;
      break;
    case '2': // DUP
      if (stack.empty())
        return found;
      stack.push_back(stack.back());
      break;
    case 'R': case 0x81: // REDUCE, NEWOBJ
      if (!pop(2))
        return found;
      other();
      break;
    case 0x92: // NEWOBJ_EX
      if (!pop(3))
        return found;
      other();
      break;
    case 'b': // BUILD
      if (!pop(1))
        return found;
      break;
    case 'Q': { // BINPERSID
      if (stack.empty())
        return found;
      PValue id = std::move(stack.back());
      stack.pop_back();
      const std::vector<PValue> &t = id.items;
      if (id.kind == PValue::Tuple && t.size() == 5 &&
          t[0].kind == PValue::Str && t[0].text == "storage" &&
          t[1].kind == PValue::Global && t[2].kind == PValue::Str &&
          t[4].kind == PValue::Int) {
        PickleStorage st;
        std::string type = t[1].text;
        st.type = type.substr(type.rfind('.') + 1);
        st.key = t[2].text;
        st.numel = t[4].value;
        st.elementBytes = type.rfind("torch.", 0) == 0
                              ? storageElementBytes(st.type)
                              : 0;
        found.push_back(std::move(st));
      }
      other();
      break;
    }
    case 'c': { // GLOBAL: module\nname\n
      const void *a = std::memchr(data + pos, '\n', size - pos);
      if (!a)
        return found;
      size_t mEnd = static_cast<const uint8_t *>(a) - data;
      const void *b = std::memchr(data + mEnd + 1, '\n', size - mEnd - 1);
      if (!b)
        return found;
      size_t nEnd = static_cast<const uint8_t *>(b) - data;
      PValue g;
      g.kind = PValue::Global;
      g.text = std::string(reinterpret_cast<const char *>(data + pos),
                           mEnd - pos) +
               "." +
               std::string(reinterpret_cast<const char *>(data + mEnd + 1),
                           nEnd - mEnd - 1);
      stack.push_back(std::move(g));
      pos = nEnd + 1;
      break;
    }
    case 'X': case 0x8c: case 'T': case 'U': case 0x8d: { // text
      unsigned lb = op == 0x8c || op == 'U' ? 1 : op == 0x8d ? 8 : 4;
      if (!need(lb))
        return found;
      uint64_t n = littleEndian(data + pos, lb);
      pos += lb;
      if (n > size - pos)
        return found;
      PValue v;
      v.kind = PValue::Str;
      v.text.assign(reinterpret_cast<const char *>(data + pos), n);
      pos += n;
      stack.push_back(std::move(v));
      break;
    }
    case 'B': case 'C': case 0x8e: case 0x96: { // bytes, bytearray
      unsigned lb = op == 'C' ? 1 : op == 'B' ? 4 : 8;
      if (!need(lb))
        return found;
      uint64_t n = littleEndian(data + pos, lb);
      pos += lb;
      if (n > size - pos)
        return found;
      pos += n;
      other();
      break;
    }
    case 'K': case 'M': case 'J': { // BININT1, BININT2, BININT
      unsigned n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
      if (!need(n))
        return found;
      PValue v;
      v.kind = PValue::Int;
      uint64_t raw = littleEndian(data + pos, n);
      v.value = op == 'J' ? (int64_t)(int32_t)(uint32_t)raw : (int64_t)raw;
      pos += n;
      stack.push_back(v);
      break;
    }
    case 0x8a: { // LONG1: n bytes of two's complement, little-endian
      if (!need(1))
        return found;
      unsigned n = data[pos++];
      if (!need(n))
        return found;
      PValue v;
      if (n <= 8) {
        uint64_t raw = littleEndian(data + pos, n);
        if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80))
          raw |= ~uint64_t(0) << (8 * n);
        v.kind = PValue::Int;
        v.value = (int64_t)raw;
      }
      pos += n;
      stack.push_back(v);
      break;
    }
    case 'G': // BINFLOAT
      if (!need(8))
        return found;
      pos += 8;
      other();
      break;
    case 'q': case 'r': { // BINPUT, LONG_BINPUT
      unsigned n = op == 'q' ? 1 : 4;
      if (!need(n) || stack.empty())
        return found;
      memo[littleEndian(data + pos, n)] = stack.back();
      pos += n;
      break;
    }
    case 0x94: // MEMOIZE
      if (stack.empty())
        return found;
      memo[memo.size()] = stack.back();
      break;
    case 'h': case 'j': { // BINGET, LONG_BINGET
      unsigned n = op == 'h' ? 1 : 4;
      if (!need(n))
        return found;
      auto it = memo.find(littleEndian(data + pos, n));
      if (it == memo.end())
        return found;
      stack.push_back(it->second);
      pos += n;
      break;
    }
    case 0x93: // STACK_GLOBAL: module, name strings
      if (stack.size() < 2)
        return found;
      {
        PValue g;
        if (stack[stack.size() - 2].kind == PValue::Str &&
            stack.back().kind == PValue::Str) {
          g.kind = PValue::Global;
          g.text = stack[stack.size() - 2].text + "." + stack.back().text;
        }
        stack.resize(stack.size() - 2);
        stack.push_back(std::move(g));
      }
      break;
    default: // protocol 0 text opcodes, INST, OBJ, EXT*, PERSID, ...
      return found;
    }
  }
  return found;
}

} // namespace qopt::torch_import
