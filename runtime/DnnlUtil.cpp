//===- DnnlUtil.cpp -------------------------------------------------------===//

#include "runtime/DnnlUtil.h"

namespace qrt {
namespace detail {

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::data_type toDnnl(DType dtype) {
  using dt = dnnl::memory::data_type;
  switch (dtype) {
  case DType::F32:
    return dt::f32;
  case DType::I8:
    return dt::s8;
  case DType::U8:
    return dt::u8;
  case DType::I32:
    return dt::s32;
  case DType::I64:
    break;
  }
  return dt::undef;
}

} // namespace detail
} // namespace qrt
