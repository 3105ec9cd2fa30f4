//===- TrainMath.h - scalar math of the training kernels --------*- C++ -*-===//
//
// The per-element and per-channel arithmetic of qrt's training kernels
// (TrainOps.cpp, Optimizer.cpp): activation and pad gradients, batch norm's
// statistics and normalization, the losses' elements, SGD and Adam steps.
// Marked QRT_HD (QuantMath.h) so that the CUDA kernels (runtime/cuda/) run
// the code the CPU kernels run; with FMA contraction off on both sides the
// results are bit-identical. Formulas: docs/training-math.md.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_TRAINMATH_H
#define QRT_TRAINMATH_H

#include "runtime/QuantMath.h"

namespace qrt {
namespace tmath {

//===-- Activation and data-movement gradients ----------------------------===//

/// ReLU backward on the forward output y: dy where y > 0, else 0.
QRT_HD float reluGrad(float y, float dy) { return y > 0.f ? dy : 0.f; }
/// Clip backward on the forward input x: dy where lo < x < hi, else 0.
QRT_HD float clipGrad(float x, float lo, float hi, float dy) {
  return x > lo && x < hi ? dy : 0.f;
}
/// pad_grad_add_relu's tail: the residual addend plus the pad gradient g,
/// masked by the ReLU output y.
QRT_HD float addReluGrad(float addend, float g, float y) {
  float v = addend + g;
  return y > 0.f ? v : 0.f;
}
QRT_HD float addGrad(float addend, float g) { return addend + g; }

//===-- Batch norm (training) ---------------------------------------------===//

/// A channel's statistics from Σx and Σ(x - mean)² (double) over `count`
/// values, and the running statistics' update (PyTorch's: momentum is the
/// weight of the batch statistic; the variance statistic is unbiased). The
/// normalization is then y = x a + b.
struct BnChannel {
  float saveMean, saveInvstd, a, b;
};
QRT_HD double bnMean(double sum, int64_t count) { return sum / count; }
QRT_HD BnChannel bnTrainChannel(double mean, double sq, int64_t count,
                                float eps, float gamma, float beta) {
  double var = sq / count;
  double invstd = 1.0 / sqrt(var + eps);
  BnChannel r;
  r.saveMean = (float)mean;
  r.saveInvstd = (float)invstd;
  r.a = (float)invstd * gamma;
  r.b = beta - (float)mean * r.a;
  return r;
}
QRT_HD float bnRunningMean(float running, double mean, float momentum) {
  return (float)((1.0 - momentum) * running + momentum * mean);
}
QRT_HD float bnRunningVar(float running, double sq, int64_t count,
                          float momentum) {
  return (float)((1.0 - momentum) * running + momentum * sq / (count - 1));
}
/// One deviation term of the two-pass variance.
QRT_HD double bnSquaredDeviation(float x, double mean) {
  double d = x - mean;
  return d * d;
}
QRT_HD float bnApply(float x, float a, float b) { return x * a + b; }

/// Backward: x̂ and the terms Σdy and Σdy·x̂ sum.
QRT_HD float bnXhat(float x, float mean, float invstd) {
  return (x - mean) * invstd;
}
QRT_HD double bnDyXhat(float dy, float x, float mean, float invstd) {
  return (double)dy * bnXhat(x, mean, invstd);
}
/// dx = k (dy - mean(dy) - x̂ mean(dy x̂)), k = gamma invstd.
struct BnGradChannel {
  float k, meanDy, meanDyXhat;
};
QRT_HD BnGradChannel bnGradChannel(double sumDy, double sumDyXhat,
                                   int64_t count, float gamma, float invstd) {
  BnGradChannel r;
  r.k = gamma * invstd;
  r.meanDy = (float)(sumDy / count);
  r.meanDyXhat = (float)(sumDyXhat / count);
  return r;
}
QRT_HD float bnGradX(float dy, float x, float mean, float invstd,
                     BnGradChannel c) {
  float xhat = bnXhat(x, mean, invstd);
  return c.k * (dy - c.meanDy - xhat * c.meanDyXhat);
}

//===-- Group norm (backward) ---------------------------------------------===//

/// A sample and group's statistics from Σx / count and Σ(x - mean)² in
/// double, rounded as qnn.group_norm's forward (Elementwise.cpp's
/// groupNorm) rounds them, so that x̂ is the forward's.
struct GnGroup {
  float mean, invstd;
};
QRT_HD GnGroup gnGroup(double mean, double sq, int64_t count, float eps) {
  GnGroup r;
  r.mean = (float)mean;
  r.invstd = (float)(1.0 / sqrt(sq / count + (double)eps));
  return r;
}
/// dx = invstd (g - mean(g) - x̂ mean(g x̂)), g = dy gamma[c], the means
/// over the sample's group (count elements).
struct GnGradGroup {
  float meanG, meanGXhat;
};
QRT_HD GnGradGroup gnGradGroup(double sumG, double sumGXhat, int64_t count) {
  GnGradGroup r;
  r.meanG = (float)(sumG / count);
  r.meanGXhat = (float)(sumGXhat / count);
  return r;
}
QRT_HD float gnGradX(float dy, float x, float gamma, GnGroup s, GnGradGroup g) {
  float xhat = bnXhat(x, s.mean, s.invstd);
  return s.invstd * (dy * gamma - g.meanG - xhat * g.meanGXhat);
}

//===-- Losses ------------------------------------------------------------===//

/// Softmax cross-entropy of one row p [c] with label `label`: writes
/// (softmax - onehot) * invN into q [c] and returns the row's loss
/// -log softmax(p)[label] (in double). The row maximum is taken as
/// std::max does; exp / log are the platform's expf / log, so CPU and CUDA
/// agree within their libraries' ulps, not bit for bit.
QRT_HD double softmaxCrossEntropyRow(const float *p, float *q, int64_t c,
                                     int64_t label, float invN) {
  float m = p[0];
  for (int64_t j = 1; j < c; ++j)
    m = m < p[j] ? p[j] : m;
  double sum = 0.0;
  for (int64_t j = 0; j < c; ++j) {
    q[j] = expf(p[j] - m);
    sum += q[j];
  }
  double rowLoss = log(sum) - (p[label] - m);
  float scale = (float)(1.0 / sum) * invN;
  for (int64_t j = 0; j < c; ++j)
    q[j] *= scale;
  q[label] -= invN;
  return rowLoss;
}
/// The loss from the rows' sum.
QRT_HD float meanLoss(double total, int64_t n) { return (float)(total / n); }

/// MSE: the squared difference (double, for the loss sum) and the
/// gradient element k (p - t), k = 2 / numel.
QRT_HD float mseDiff(float p, float t) { return p - t; }
QRT_HD double mseSquare(float diff) { return (double)diff * diff; }
QRT_HD float mseGrad(float diff, float k) { return k * diff; }
/// Elements per chunk of the loss sum (a chunk is summed in order, chunks
/// in chunk order: the sum does not depend on the thread count).
constexpr int64_t kMseChunk = 1 << 14;

//===-- Detection losses (a sum over elements, divided by a norm) ----------===//
// Each element function returns the element's loss in double (summed in
// chunks of kMseChunk, as mse) and writes its gradient times `scale` (the
// weight over the norm). The arithmetic is in double, so CPU and CUDA agree
// to the platforms' exp / log1p / pow ulps.

/// 1 / (1 + exp(-x)), in double.
QRT_HD double sigmoidD(double x) { return 1.0 / (1.0 + exp(-x)); }
/// max(x, 0) - x t + log(1 + exp(-|x|)): binary cross-entropy of a logit.
QRT_HD double bceLogit(double x, double t) {
  return (x > 0.0 ? x : 0.0) - x * t + log1p(exp(-(x < 0.0 ? -x : x)));
}

/// Sigmoid focal loss of one logit with target t (torchvision's
/// sigmoid_focal_loss): a_t ce (1 - p_t)^gamma; alpha < 0: a_t = 1.
QRT_HD double sigmoidFocalElement(float x, bool t, double alpha, double gamma,
                                  double scale, float *grad) {
  double p = sigmoidD(x), pm = sigmoidD(-(double)x); // p, 1 - p
  double ce = bceLogit(x, t ? 1.0 : 0.0);
  double q = t ? pm : p;                          // 1 - p_t
  double dq = (t ? -1.0 : 1.0) * p * pm;          // d q / d x
  double mod = gamma == 0.0 ? 1.0 : pow(q, gamma);
  double dmod = 0.0;                              // d q^gamma / d x
  if (gamma != 0.0 && q > 0.0)
    dmod = gamma * pow(q, gamma - 1.0) * dq;
  else if (gamma == 1.0)
    dmod = dq;
  double a = alpha < 0.0 ? 1.0 : (t ? alpha : 1.0 - alpha);
  *grad = (float)(a * ((p - (t ? 1.0 : 0.0)) * mod + ce * dmod) * scale);
  return a * ce * mod;
}

/// d min(a, b) / d a as PyTorch's autograd takes it: 1, 0, or 1/2 at a tie
/// (and d max alike).
QRT_HD double minGradD(double a, double b) {
  return a < b ? 1.0 : (a == b ? 0.5 : 0.0);
}
QRT_HD double maxGradD(double a, double b) {
  return a > b ? 1.0 : (a == b ? 0.5 : 0.0);
}

/// GIoU loss of predicted and target distances (l, t, r, b) from one point
/// (qnn.giou_loss): writes d loss / d p times `scale` into g[0..3].
QRT_HD double giouElement(const double p[4], const double t[4], double scale,
                          float g[4]) {
  const double eps = 1e-6;
  double pw = p[0] + p[2], ph = p[1] + p[3];
  double tw = t[0] + t[2], th = t[1] + t[3];
  double pa = pw * ph, ta = tw * th;
  double iw = (p[0] < t[0] ? p[0] : t[0]) + (p[2] < t[2] ? p[2] : t[2]);
  double ih = (p[1] < t[1] ? p[1] : t[1]) + (p[3] < t[3] ? p[3] : t[3]);
  double inter = iw * ih;
  double uni = pa + ta - inter;
  double uc = uni >= eps ? uni : eps;
  double iou = inter / uc;
  double ew = (p[0] > t[0] ? p[0] : t[0]) + (p[2] > t[2] ? p[2] : t[2]);
  double eh = (p[1] > t[1] ? p[1] : t[1]) + (p[3] > t[3] ? p[3] : t[3]);
  double e = ew * eh;
  double ec = e >= eps ? e : eps;
  double loss = 1.0 - iou + (ec - uni) / ec;
  // Reverse mode through the formula above (clamp passes its gradient where
  // the value is at least the bound, as torch.clamp's backward).
  double gUni = (uni >= eps ? inter / (uc * uc) : 0.0) - 1.0 / ec;
  double gInter = -1.0 / uc - gUni;
  double gE = e >= eps ? uni / (ec * ec) : 0.0;
  double gIw = gInter * ih, gIh = gInter * iw;
  double gEw = gE * eh, gEh = gE * ew;
  g[0] = (float)((gUni * ph + gIw * minGradD(p[0], t[0]) +
                  gEw * maxGradD(p[0], t[0])) * scale);
  g[2] = (float)((gUni * ph + gIw * minGradD(p[2], t[2]) +
                  gEw * maxGradD(p[2], t[2])) * scale);
  g[1] = (float)((gUni * pw + gIh * minGradD(p[1], t[1]) +
                  gEh * maxGradD(p[1], t[1])) * scale);
  g[3] = (float)((gUni * pw + gIh * minGradD(p[3], t[3]) +
                  gEh * maxGradD(p[3], t[3])) * scale);
  return loss;
}

//===-- Optimizers (torch.optim, single-tensor path) ----------------------===//

/// SGD without momentum: p - lr (g + wd p).
QRT_HD float sgdPlain(float p, float g, float lr, float wd) {
  float d = g + wd * p;
  return p - lr * d;
}
/// SGD with momentum: updates p and the buffer (`first`: the buffer is
/// initialized to the gradient, as torch's first step).
QRT_HD void sgdMomentum(float *p, float g, float *buf, bool first, float lr,
                        float wd, float momentum, float keep, bool nesterov) {
  float d = g + wd * *p;
  float b = first ? d : momentum * *buf + keep * d;
  *buf = b;
  float step = nesterov ? d + momentum * b : b;
  *p = *p - lr * step;
}

/// Adam's bias corrections for 1-based step t: step size lr / (1 - β1^t)
/// and sqrt(1 - β2^t), in double as torch computes them in Python floats.
struct AdamStepScalars {
  float stepSize, bc2Sqrt;
};
QRT_HD AdamStepScalars adamStepScalars(float lr, float beta1, float beta2,
                                       int64_t t) {
  double bc1 = 1.0 - pow((double)beta1, (double)t);
  double bc2 = 1.0 - pow((double)beta2, (double)t);
  AdamStepScalars r;
  r.stepSize = (float)(lr / bc1);
  r.bc2Sqrt = (float)sqrt(bc2);
  return r;
}
/// One Adam element: updates p, m, v and (amsgrad: vmax non-null) the
/// running maximum of v.
QRT_HD void adamElement(float *p, float g, float *m, float *v, float *vmax,
                        float beta1, float beta2, float eps, float wd,
                        AdamStepScalars s) {
  float d = g + wd * *p;
  float mi = *m * beta1 + (1.f - beta1) * d;
  float vi = *v * beta2 + (1.f - beta2) * d * d;
  *m = mi;
  *v = vi;
  float vv = vi;
  if (vmax) {
    vv = *vmax < vi ? vi : *vmax; // std::max(vmax, vi)
    *vmax = vv;
  }
  float denom = sqrtf(vv) / s.bc2Sqrt + eps;
  *p = *p - s.stepSize * (mi / denom);
}

} // namespace tmath
} // namespace qrt

#endif // QRT_TRAINMATH_H
