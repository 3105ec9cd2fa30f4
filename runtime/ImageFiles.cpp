//===- ImageFiles.cpp - image folders; PNG (libpng) and JPEG (libjpeg) ----===//

#include "runtime/Dataset.h"

#include <png.h>
// jpeglib.h needs FILE and size_t declared first.
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace fs = std::filesystem;

namespace qrt {

namespace {

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

/// The largest image decoded (2^26 pixels, e.g. 8192 x 8192): a header
/// promising more is an error before anything is allocated.
constexpr uint64_t kMaxPixels = uint64_t(1) << 26;

Status checkPixels(const std::string &name, uint64_t width,
                   uint64_t height) {
  if (width == 0 || height == 0 || width > kMaxPixels / height)
    return formatError(name + ": the image is " + std::to_string(width) +
                       " x " + std::to_string(height) +
                       " pixels (at most 2^26 are read)");
  return Status::ok();
}

Status decodePng(const std::vector<uint8_t> &bytes, const std::string &name,
                 Image &img) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    return formatError(name + ": cannot decode PNG: " + png.message);
  // RGBA, then the alpha dropped: PIL's convert('RGB') (libpng would
  // composite onto a background instead).
  if (Status s = checkPixels(name, png.width, png.height); !s) {
    png_image_free(&png);
    return s;
  }
  png.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> rgba(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, rgba.data(), 0, nullptr)) {
    std::string message = png.message;
    png_image_free(&png);
    return formatError(name + ": cannot decode PNG: " + message);
  }
  int64_t h = png.height, w = png.width;
  img.resize(3, h, w);
  img.eightBit = true;
  for (int64_t i = 0; i < h * w; ++i)
    for (int64_t c = 0; c < 3; ++c)
      img.pixels[c * h * w + i] = rgba[4 * i + c];
  return Status::ok();
}

/// libjpeg reports errors through a callback that must not return; it
/// longjmps back into decodeJpegRaw, which owns nothing that needs
/// destroying (the pixels are malloc'd and freed on both paths).
struct JpegError {
  jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegFail(j_common_ptr cinfo) {
  auto *e = reinterpret_cast<JpegError *>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  longjmp(e->jump, 1);
}

/// Warnings (level -1: corrupt or truncated data that libjpeg would patch
/// over with gray) fail the image, as PIL does without
/// LOAD_TRUNCATED_IMAGES; trace messages are dropped.
void jpegMessage(j_common_ptr cinfo, int level) {
  if (level < 0)
    jpegFail(cinfo);
}

/// Returns 0 and the RGB pixels (malloc'd) on success; the message
/// otherwise.
int decodeJpegRaw(const uint8_t *data, size_t size, unsigned char **pixels,
                  unsigned *height, unsigned *width, char *message) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  unsigned char *volatile out = nullptr;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpegFail;
  err.mgr.emit_message = jpegMessage;
  err.message[0] = '\0';
  if (setjmp(err.jump)) {
    std::strcpy(message, err.message);
    jpeg_destroy_decompress(&cinfo);
    std::free(out);
    return 1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width == 0 || cinfo.image_height == 0 ||
      cinfo.image_width > kMaxPixels / cinfo.image_height) {
    std::snprintf(message, JMSG_LENGTH_MAX,
                  "the image is %u x %u pixels (at most 2^26 are read)",
                  cinfo.image_width, cinfo.image_height);
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  size_t stride = size_t(cinfo.output_width) * cinfo.output_components;
  out = static_cast<unsigned char *>(
      std::malloc(stride * cinfo.output_height + 1));
  if (!out) {
    std::strcpy(message, "out of memory");
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out + size_t(cinfo.output_scanline) * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  *height = cinfo.output_height;
  *width = cinfo.output_width;
  *pixels = out;
  jpeg_destroy_decompress(&cinfo);
  return 0;
}

Status decodeJpeg(const std::vector<uint8_t> &bytes, const std::string &name,
                  Image &img) {
  unsigned char *pixels = nullptr;
  unsigned h = 0, w = 0;
  char message[JMSG_LENGTH_MAX];
  if (decodeJpegRaw(bytes.data(), bytes.size(), &pixels, &h, &w, message))
    return formatError(name + ": cannot decode JPEG: " + message);
  img.resize(3, h, w);
  img.eightBit = true;
  int64_t plane = int64_t(h) * w;
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t c = 0; c < 3; ++c)
      img.pixels[c * plane + i] = pixels[3 * i + c];
  std::free(pixels);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Folders
//===----------------------------------------------------------------------===//

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

bool isImageFile(const fs::path &p) {
  std::string e = lower(p.extension().string());
  return e == ".png" || e == ".jpg" || e == ".jpeg";
}

/// Image formats torchvision's ImageFolder takes that qopt does not decode:
/// named in an error rather than skipped silently.
bool isOtherImageFile(const fs::path &p) {
  std::string e = lower(p.extension().string());
  return e == ".bmp" || e == ".gif" || e == ".webp" || e == ".tif" ||
         e == ".tiff" || e == ".ppm" || e == ".pgm";
}

/// The PNG / JPEG files under `dir` (recursively, following links),
/// sorted; fails on an image format qopt does not read.
Status listImages(const fs::path &dir, std::vector<std::string> &files,
                  const std::string &what) {
  std::error_code ec;
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::follow_directory_symlink, ec);
  if (ec)
    return ioError(what + ": cannot read " + dir.string() + ": " +
                   ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      return ioError(what + ": cannot read " + dir.string() + ": " +
                     ec.message());
    if (!it->is_regular_file(ec))
      continue;
    if (isImageFile(it->path()))
      files.push_back(it->path().string());
    else if (isOtherImageFile(it->path()))
      return Status::error(ErrorCode::Unsupported,
                           what + ": " + it->path().string() +
                               ": qopt reads PNG and JPEG images only");
  }
  std::sort(files.begin(), files.end());
  return Status::ok();
}

class ImageFileDataset : public Dataset {
public:
  std::string root, kind;
  std::vector<std::string> files;
  std::vector<int64_t> labels; // empty: unlabelled
  std::vector<std::string> classes;

  int64_t size() const override { return files.size(); }
  bool hasLabels() const override { return !labels.empty(); }
  int64_t numClasses() const override { return classes.size(); }
  std::string sampleName(int64_t index) const override {
    return files[index];
  }
  std::string describe() const override {
    return kind + " " + root + " (" + std::to_string(files.size()) +
           " images" +
           (classes.empty() ? ", no labels"
                            : ", " + std::to_string(classes.size()) +
                                  " classes") +
           ")";
  }

  Status read(int64_t index, Image &img, int64_t &label) const override {
    std::ifstream f(files[index], std::ios::binary);
    if (!f)
      return ioError("cannot open " + files[index]);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                               std::istreambuf_iterator<char>());
    QRT_RETURN_IF_ERROR(decodeImage(bytes, files[index], img));
    label = labels.empty() ? -1 : labels[index];
    return Status::ok();
  }
};

} // namespace

Status decodeImage(const std::vector<uint8_t> &bytes, const std::string &name,
                   Image &image) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPng, 8) == 0)
    return decodePng(bytes, name, image);
  if (bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 &&
      bytes[2] == 0xff)
    return decodeJpeg(bytes, name, image);
  return formatError(name + ": not a PNG or JPEG file" +
                     (bytes.empty() ? " (empty)" : ""));
}

Expected<std::shared_ptr<const Dataset>>
openImageFiles(const std::string &dir, bool labelled,
               const std::string &what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return ioError(what + ": " + dir + " is not a directory");
  auto d = std::make_shared<ImageFileDataset>();
  d->root = dir;
  d->kind = labelled ? "image folder" : "images";
  if (!labelled) {
    QRT_RETURN_IF_ERROR(listImages(dir, d->files, what));
    if (d->files.empty())
      return invalidArgument(what + ": " + dir +
                             " holds no PNG or JPEG images");
    return std::shared_ptr<const Dataset>(d);
  }
  // torchvision's ImageFolder: the classes are the sub-folders, sorted by
  // name; files directly in `dir` are not samples.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->is_directory(ec))
      d->classes.push_back(it->path().filename().string());
  if (ec)
    return ioError(what + ": cannot read " + dir + ": " + ec.message());
  std::sort(d->classes.begin(), d->classes.end());
  if (d->classes.empty())
    return invalidArgument(what + ": " + dir +
                           " has no class sub-folders (ImageFolder layout: " +
                           dir + "/<class>/<image>; images:" + dir +
                           " reads images without labels)");
  for (size_t c = 0; c < d->classes.size(); ++c) {
    std::vector<std::string> files;
    QRT_RETURN_IF_ERROR(
        listImages(fs::path(dir) / d->classes[c], files, what));
    if (files.empty())
      return invalidArgument(what + ": class folder " + dir + "/" +
                             d->classes[c] + " holds no PNG or JPEG images");
    for (std::string &f : files) {
      d->files.push_back(std::move(f));
      d->labels.push_back(static_cast<int64_t>(c));
    }
  }
  return std::shared_ptr<const Dataset>(d);
}

} // namespace qrt
