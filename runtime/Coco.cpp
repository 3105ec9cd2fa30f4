//===- Coco.cpp - COCO json annotations and the coco: data set ----------===//

#include "runtime/Coco.h"
#include "runtime/Dataset.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace qrt {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

/// Field checks of one json file: every error names the file and the field.
class Fields {
public:
  explicit Fields(std::string file) : file(std::move(file)) {}

  Status error(const std::string &field, const std::string &message) const {
    return formatError(file + ": " + field + " " + message);
  }
  /// What a wrong value was, shortened.
  static std::string shown(const Json &v) {
    std::string s = v.dump();
    return s.size() > 40 ? s.substr(0, 37) + "..." : s;
  }

  Status member(const Json &object, const std::string &owner,
                const char *key, const Json *&out) const {
    auto it = object.find(key);
    if (it == object.end())
      return error(owner.empty() ? "the top-level object" : owner,
                   std::string("has no '") + key + "'");
    out = &*it;
    return Status::ok();
  }
  Status integer(const Json &object, const std::string &owner,
                 const char *key, int64_t &out) const {
    const Json *v;
    QRT_RETURN_IF_ERROR(member(object, owner, key, v));
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() &&
         v->get<uint64_t>() > uint64_t(INT64_MAX)))
      return error(owner + "." + key, "must be an integer, not " + shown(*v));
    out = v->get<int64_t>();
    return Status::ok();
  }
  Status string(const Json &object, const std::string &owner,
                const char *key, std::string &out) const {
    const Json *v;
    QRT_RETURN_IF_ERROR(member(object, owner, key, v));
    if (!v->is_string())
      return error(owner + "." + key, "must be a string, not " + shown(*v));
    out = v->get<std::string>();
    return Status::ok();
  }
  Status array(const Json &object, const std::string &owner, const char *key,
               const Json *&out) const {
    QRT_RETURN_IF_ERROR(member(object, owner, key, out));
    if (!out->is_array())
      return error(owner.empty() ? key : owner + "." + key,
                   "must be an array, not " + shown(*out));
    return Status::ok();
  }

  std::string file;
};

std::string item(const char *array, size_t i) {
  return std::string(array) + "[" + std::to_string(i) + "]";
}

} // namespace

Expected<CocoAnnotations> readCocoAnnotations(const std::string &jsonPath,
                                              const std::string &imagesDir) {
  std::ifstream f(jsonPath, std::ios::binary);
  if (!f)
    return ioError("cannot open " + jsonPath);
  std::string text((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception &e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 7:
    // ..." without the bracketed id.
    std::string what = e.what();
    size_t close = what.find("] ");
    return formatError(jsonPath + ": not valid JSON: " +
                       (close == std::string::npos ? what
                                                   : what.substr(close + 2)));
  }
  Fields check(jsonPath);
  if (!root.is_object())
    return formatError(jsonPath + ": a COCO annotation file is a JSON object "
                                  "with images, annotations and categories, "
                                  "not " + Fields::shown(root));

  CocoAnnotations out;
  out.path = jsonPath;
  std::string dir = imagesDir.empty()
                        ? fs::path(jsonPath).parent_path().string()
                        : imagesDir;
  if (dir.empty())
    dir = ".";

  const Json *images, *categories;
  QRT_RETURN_IF_ERROR(check.array(root, "", "images", images));
  QRT_RETURN_IF_ERROR(check.array(root, "", "categories", categories));
  if (images->empty())
    return formatError(jsonPath + ": images is empty");

  std::map<int64_t, int64_t> imageIndex, categoryIndex;
  for (size_t i = 0; i < categories->size(); ++i) {
    const Json &c = (*categories)[i];
    std::string at = item("categories", i);
    if (!c.is_object())
      return check.error(at, "must be an object, not " + Fields::shown(c));
    CocoCategory cat;
    QRT_RETURN_IF_ERROR(check.integer(c, at, "id", cat.id));
    QRT_RETURN_IF_ERROR(check.string(c, at, "name", cat.name));
    if (!categoryIndex.emplace(cat.id, int64_t(i)).second)
      return check.error(at + ".id", std::to_string(cat.id) +
                                         " is the id of an earlier category");
    out.categories.push_back(std::move(cat));
  }
  if (out.categories.empty())
    return formatError(jsonPath + ": categories is empty");

  for (size_t i = 0; i < images->size(); ++i) {
    const Json &m = (*images)[i];
    std::string at = item("images", i);
    if (!m.is_object())
      return check.error(at, "must be an object, not " + Fields::shown(m));
    CocoImage image;
    QRT_RETURN_IF_ERROR(check.integer(m, at, "id", image.id));
    QRT_RETURN_IF_ERROR(check.string(m, at, "file_name", image.fileName));
    QRT_RETURN_IF_ERROR(check.integer(m, at, "width", image.width));
    QRT_RETURN_IF_ERROR(check.integer(m, at, "height", image.height));
    if (image.width < 1 || image.height < 1 || image.width > (1 << 16) ||
        image.height > (1 << 16))
      return check.error(at, "is " + std::to_string(image.width) + "x" +
                                 std::to_string(image.height) +
                                 ": width and height must be in [1, 65536]");
    if (!imageIndex.emplace(image.id, int64_t(i)).second)
      return check.error(at + ".id", std::to_string(image.id) +
                                         " is the id of an earlier image");
    image.path = (fs::path(dir) / image.fileName).string();
    std::error_code ec;
    if (image.fileName.empty() || !fs::is_regular_file(image.path, ec))
      return ioError(jsonPath + ": " + at + ".file_name '" + image.fileName +
                     "': " + image.path + " not found" +
                     (imagesDir.empty() ? " (file names are relative to the "
                                          "json's directory unless images=DIR "
                                          "says otherwise)"
                                        : ""));
    out.images.push_back(std::move(image));
  }

  // A test set's file (image_info_test) has no annotations.
  auto anns = root.find("annotations");
  if (anns != root.end() && !anns->is_array())
    return check.error("annotations", "must be an array, not " +
                                          Fields::shown(*anns));
  std::string categoryRange =
      std::to_string(out.categories.size()) + " categories, ids " +
      std::to_string(categoryIndex.begin()->first) + ".." +
      std::to_string(categoryIndex.rbegin()->first);
  std::set<int64_t> annotationIds;
  for (size_t i = 0; anns != root.end() && i < anns->size(); ++i) {
    const Json &a = (*anns)[i];
    std::string at = item("annotations", i);
    if (!a.is_object())
      return check.error(at, "must be an object, not " + Fields::shown(a));
    CocoBox box;
    int64_t imageId, categoryId;
    QRT_RETURN_IF_ERROR(check.integer(a, at, "id", box.id));
    if (!annotationIds.insert(box.id).second)
      return check.error(at + ".id", std::to_string(box.id) +
                                         " is the id of an earlier annotation");
    QRT_RETURN_IF_ERROR(check.integer(a, at, "image_id", imageId));
    QRT_RETURN_IF_ERROR(check.integer(a, at, "category_id", categoryId));
    auto im = imageIndex.find(imageId);
    if (im == imageIndex.end())
      return check.error(at + ".image_id",
                         std::to_string(imageId) + " is not an image's id");
    auto cat = categoryIndex.find(categoryId);
    if (cat == categoryIndex.end())
      return check.error(at + ".category_id",
                         std::to_string(categoryId) +
                             " is not a category's id (" + categoryRange +
                             ")");
    box.image = im->second;
    box.category = cat->second;
    if (auto crowd = a.find("iscrowd"); crowd != a.end()) {
      if (!crowd->is_number_integer() ||
          (crowd->get<int64_t>() != 0 && crowd->get<int64_t>() != 1))
        return check.error(at + ".iscrowd",
                           "must be 0 or 1, not " + Fields::shown(*crowd));
      box.crowd = crowd->get<int64_t>() == 1;
    }
    const Json *bbox;
    QRT_RETURN_IF_ERROR(check.array(a, at, "bbox", bbox));
    if (bbox->size() != 4 ||
        !std::all_of(bbox->begin(), bbox->end(),
                     [](const Json &v) { return v.is_number(); }))
      return check.error(at + ".bbox", "must be 4 numbers [x, y, width, "
                                       "height], not " +
                                           Fields::shown(*bbox));
    box.x = (*bbox)[0].get<double>();
    box.y = (*bbox)[1].get<double>();
    box.width = (*bbox)[2].get<double>();
    box.height = (*bbox)[3].get<double>();
    const CocoImage &image = out.images[box.image];
    // A thousandth of a pixel of slack for boxes written in float.
    const double eps = 1e-3;
    if (!(box.width >= 0) || !(box.height >= 0))
      return check.error(at + ".bbox", Fields::shown(*bbox) +
                                           " has a negative width or height");
    if (!(box.x >= -eps) || !(box.y >= -eps) ||
        !(box.x + box.width <= image.width + eps) ||
        !(box.y + box.height <= image.height + eps))
      return check.error(at + ".bbox",
                         Fields::shown(*bbox) + " is outside its image " +
                             image.fileName + " (" +
                             std::to_string(image.width) + "x" +
                             std::to_string(image.height) + ")");
    out.boxes.push_back(box);
  }
  return out;
}

namespace {

/// The images of a COCO annotation file, in its order, without labels (a
/// detection image has boxes, not one class).
class CocoDataset : public Dataset {
public:
  explicit CocoDataset(CocoAnnotations annotations)
      : annotations(std::move(annotations)),
        imageBoxes(this->annotations.images.size()) {
    for (size_t i = 0; i < this->annotations.boxes.size(); ++i)
      imageBoxes[this->annotations.boxes[i].image].push_back(int64_t(i));
  }

  int64_t size() const override { return annotations.images.size(); }
  bool hasLabels() const override { return false; }
  std::string sampleName(int64_t index) const override {
    return annotations.images[index].path;
  }
  std::string describe() const override {
    return "COCO " + annotations.path + " (" +
           std::to_string(annotations.images.size()) + " images, " +
           std::to_string(annotations.boxes.size()) + " boxes, " +
           std::to_string(annotations.categories.size()) + " categories)";
  }

  Status read(int64_t index, Image &img, int64_t &label) const override {
    const CocoImage &image = annotations.images[index];
    std::ifstream f(image.path, std::ios::binary);
    if (!f)
      return ioError("cannot open " + image.path);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                               std::istreambuf_iterator<char>());
    QRT_RETURN_IF_ERROR(decodeImage(bytes, image.path, img));
    if (img.width != image.width || img.height != image.height)
      return formatError(image.path + " is " + std::to_string(img.width) +
                         "x" + std::to_string(img.height) + ", but " +
                         annotations.path + " says " +
                         std::to_string(image.width) + "x" +
                         std::to_string(image.height) + " (width x height)");
    label = -1;
    return Status::ok();
  }

  // As models/detection/coco_data.py: x1, y1, x2, y2 = x, y, x + w, y + h
  // in double, then f32; crowd boxes kept (train.py keeps them).
  Status boxes(int64_t index, SampleBoxes &out) const override {
    const CocoImage &image = annotations.images[index];
    out.height = image.height;
    out.width = image.width;
    out.boxes.clear();
    for (int64_t b : imageBoxes[index]) {
      const CocoBox &box = annotations.boxes[b];
      out.boxes.push_back({float(box.x), float(box.y), float(box.x + box.width),
                           float(box.y + box.height), int32_t(box.category)});
    }
    return Status::ok();
  }
  int64_t boxClasses() const override { return annotations.categories.size(); }
  const CocoAnnotations *cocoAnnotations() const override {
    return &annotations;
  }

private:
  CocoAnnotations annotations;
  std::vector<std::vector<int64_t>> imageBoxes; // per image, json order
};

} // namespace

Expected<std::shared_ptr<const Dataset>>
openCocoDataset(const std::string &jsonPath, const std::string &imagesDir) {
  Expected<CocoAnnotations> a = readCocoAnnotations(jsonPath, imagesDir);
  if (!a)
    return a.status();
  return std::shared_ptr<const Dataset>(
      std::make_shared<CocoDataset>(std::move(*a)));
}

} // namespace qrt
