#include "store/store_chunks.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "store/h5_handles.hpp"

namespace arabica {

namespace {

using h5::check;

// The fold dimension's scale in a store group.
constexpr char kFoldScale[] = "cutoff";

// A slab copied at once: whole chunks of the target, about this many bytes.
constexpr hsize_t kSlabBytes = hsize_t{16} << 20;

// Attributes the dimension-scale API keeps (set_scale, attach_scale write
// them again with the target file's references).
bool kept_by_dimension_scales(const std::string& name) {
  return name == "CLASS" || name == "NAME" || name == "DIMENSION_LIST" || name == "REFERENCE_LIST";
}

// The value of a scalar variable-length text attribute; none for any other.
std::optional<std::string> text_value(hid_t attribute, const std::string& path,
                                      const std::string& what) {
  const h5::Datatype type(H5Aget_type(attribute), path, what);
  const h5::Dataspace space(H5Aget_space(attribute), path, what);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) <= 0 ||
      H5Sget_simple_extent_type(space.get()) != H5S_SCALAR)
    return std::nullopt;
  const h5::Datatype memory(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), path, what);
  char* text = nullptr;
  check(H5Aread(attribute, memory.get(), &text), path, what);
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}

// Per fold, only the stored paths are worth compressing (summaries are a
// few hundred bytes a fold); chunks of many folds are all compressed.
bool compressed(const std::string& variable, StoreChunks chunks) {
  return chunks == StoreChunks::for_reading || variable == "paths";
}

// Names of the attributes or links of an object, in creation order where
// it is tracked (netCDF-4 files track it), else by name. Collected first:
// the copies below may throw, which must not cross HDF5's C callbacks.
template <class Info>
herr_t collect_name(hid_t, const char* name, const Info*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}
template <class Iterate>
std::vector<std::string> names_in_creation_order(Iterate iterate, const std::string& path,
                                                 const std::string& what) {
  std::vector<std::string> names;
  for (const H5_index_t index : {H5_INDEX_CRT_ORDER, H5_INDEX_NAME}) {
    names.clear();
    hsize_t at = 0;
    if (iterate(index, &at, &names) >= 0) return names;
  }
  h5::fail(path, what);
}
std::vector<std::string> attribute_names(hid_t object, const std::string& path) {
  return names_in_creation_order(
      [&](H5_index_t index, hsize_t* at, void* names) {
        return H5Aiterate2(object, index, H5_ITER_INC, at, collect_name<H5A_info_t>, names);
      },
      path, "cannot list attributes");
}
std::vector<std::string> link_names(hid_t group, const std::string& path) {
  return names_in_creation_order(
      [&](H5_index_t index, hsize_t* at, void* names) {
        return H5Literate(group, index, H5_ITER_INC, at, collect_name<H5L_info_t>, names);
      },
      path, "cannot list a group");
}

// A dimension scale's NAME.
std::string scale_name(hid_t scale, const std::string& path, const std::string& what) {
  const ssize_t length = check(H5DSget_scale_name(scale, nullptr, 0), path, what);
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  check(H5DSget_scale_name(scale, name.data(), name.size()), path, what);
  name.resize(static_cast<std::size_t>(length));
  return name;
}

haddr_t address_of(hid_t object, const std::string& path) {
  H5O_info_t info{};
  check(H5Oget_info2(object, &info, H5O_INFO_BASIC), path, "cannot read an object header");
  return info.addr;
}

// The address of the scale attached to one dimension (none: HADDR_UNDEF).
herr_t scale_address(hid_t, unsigned, hid_t scale, void* address) {
  H5O_info_t info{};
  if (H5Oget_info2(scale, &info, H5O_INFO_BASIC) < 0) return -1;
  *static_cast<haddr_t*>(address) = info.addr;
  return 1;  // the first scale is the dimension's
}

// Values in memory as the native form of their stored type (a stored type
// is not a memory type for variable-length data: its values are heap
// addresses on disk, pointers in memory). Variable-length values are
// allocated by HDF5 on reading and returned to it by reclaim().
struct Buffer {
  h5::Datatype type;  // in memory
  std::vector<unsigned char> bytes;
  bool variable_length = false;

  Buffer(hid_t stored, const std::string& path, const std::string& what)
      : type(H5Tget_native_type(stored, H5T_DIR_ASCEND), path, what) {
    variable_length = H5Tis_variable_str(stored) > 0 || H5Tdetect_class(stored, H5T_VLEN) > 0;
  }
  hid_t memory_type() const { return type.get(); }
  void* reserve(std::size_t elements) {
    bytes.assign(std::max<std::size_t>(H5Tget_size(type.get()) * elements, 1), 0);
    return bytes.data();
  }
  void reclaim(hid_t space) {
    if (variable_length) H5Dvlen_reclaim(type.get(), space, H5P_DEFAULT, bytes.data());
  }
};

std::size_t element_count(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void copy_attributes(hid_t from, hid_t to, const std::string& path) {
  for (const std::string& name : attribute_names(from, path)) {
    if (kept_by_dimension_scales(name) || name == kReadingIndexAttribute) continue;
    const std::string what = "cannot copy attribute '" + name + "'";
    const h5::Attribute source(H5Aopen(from, name.c_str(), H5P_DEFAULT), path, what);
    const h5::Datatype type(H5Aget_type(source.get()), path, what);
    const h5::Dataspace space(H5Aget_space(source.get()), path, what);
    Buffer buffer(type.get(), path, what);
    void* values = buffer.reserve(element_count(space.get()));
    check(H5Aread(source.get(), buffer.memory_type(), values), path, what);
    const h5::Attribute target(
        H5Acreate2(to, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), path, what);
    const herr_t written = H5Awrite(target.get(), buffer.memory_type(), values);
    buffer.reclaim(space.get());
    check(written, path, what);
  }
}

std::vector<hsize_t> shape_of(hid_t space, std::vector<hsize_t>* max_shape = nullptr) {
  std::vector<hsize_t> shape(static_cast<std::size_t>(std::max(H5Sget_simple_extent_ndims(space), 0)));
  if (max_shape) max_shape->resize(shape.size());
  H5Sget_simple_extent_dims(space, shape.data(), max_shape ? max_shape->data() : nullptr);
  return shape;
}

std::vector<H5Z_filter_t> filters_of(hid_t dcpl) {
  std::vector<H5Z_filter_t> filters;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, config = 0;
    std::size_t count = 0;
    filters.push_back(H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &count, nullptr, 0,
                                     nullptr, &config));
  }
  return filters;
}

// Copies every allocated chunk as stored (compressed bytes, filter mask),
// walking the chunk grid. HDF5 1.10 has no reliable way to list them: its
// H5Dget_chunk_info gives wrong offsets for a dataset with an unlimited
// dimension, and a lookup by offset fails on a chunk never written with
// this message, told apart from every other failure.
constexpr char kChunkNotWritten[] = "chunk storage is not allocated";

void copy_chunks(hid_t from, hid_t to, const std::vector<hsize_t>& shape,
                 const std::vector<hsize_t>& chunk, const std::string& what,
                 const std::string& path) {
  const std::size_t rank = shape.size();
  if (std::any_of(shape.begin(), shape.end(), [](hsize_t n) { return n == 0; })) return;
  std::vector<hsize_t> offset(rank, 0);
  std::vector<unsigned char> bytes;
  while (true) {
    hsize_t size = 0;
    if (H5Dget_chunk_storage_size(from, offset.data(), &size) < 0) {
      if (h5::innermost_error() != kChunkNotWritten) h5::fail(path, what);
      size = 0;
    }
    if (size > 0) {
      bytes.resize(size);
      std::uint32_t mask = 0;
      check(H5Dread_chunk(from, H5P_DEFAULT, offset.data(), &mask, bytes.data()), path, what);
      check(H5Dwrite_chunk(to, H5P_DEFAULT, mask, offset.data(), size, bytes.data()), path, what);
    }
    std::size_t axis = rank;  // the next offset, the last axis fastest
    while (true) {
      if (axis == 0) return;
      --axis;
      offset[axis] += chunk[axis];
      if (offset[axis] < shape[axis]) break;
      offset[axis] = 0;
    }
  }
}

// A part of a copy's values: `folds` (ascending) of the variable `dataset`.
struct FoldPart {
  hid_t dataset;
  std::vector<int> folds;
  // Where given: the values of `value_folds` (a superset of `folds`) in
  // memory, as CommittedValues holds them, copied instead of read.
  const std::vector<unsigned char>* values = nullptr;
  const std::vector<int>* value_folds = nullptr;
};

// Copies the folds of `part` that lie in [first, first + count) from its
// values in memory into `slab` (`count` folds along `fold_axis`, laid out
// as the variable's `shape` otherwise; `element` bytes a value).
void copy_from_memory(const FoldPart& part, const std::vector<hsize_t>& shape, std::size_t fold_axis,
                      hsize_t first, hsize_t count, std::size_t element, unsigned char* slab) {
  std::size_t outer = 1, inner = element;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (i < fold_axis)
      outer *= static_cast<std::size_t>(shape[i]);
    else if (i > fold_axis)
      inner *= static_cast<std::size_t>(shape[i]);
  const std::vector<int>& held = *part.value_folds;
  auto f = std::lower_bound(part.folds.begin(), part.folds.end(), static_cast<int>(first));
  for (; f != part.folds.end() && static_cast<hsize_t>(*f) < first + count; ++f) {
    const std::size_t at = static_cast<std::size_t>(std::lower_bound(held.begin(), held.end(), *f) - held.begin());
    const std::size_t to = static_cast<std::size_t>(static_cast<hsize_t>(*f) - first);
    for (std::size_t o = 0; o < outer; ++o)
      std::memcpy(slab + (o * count + to) * inner, part.values->data() + (o * held.size() + at) * inner, inner);
  }
}

// Whether `values` hold exactly the folds `held` of a variable of `shape`
// (`element` bytes a value): what copy_from_memory may copy from.
bool holds_folds(const std::vector<unsigned char>& values, const std::vector<int>& held,
                 const std::vector<hsize_t>& shape, std::size_t fold_axis, std::size_t element) {
  std::size_t expected = held.size() * element;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (i != fold_axis) expected *= static_cast<std::size_t>(shape[i]);
  return values.size() == expected;
}

// Selects the runs of `folds` that lie in [first, first + count), every
// other axis whole: in `file_space` (a variable's) at their offsets along
// `fold_axis`, in `memory_space` (the slab's) at those less `first`; false
// when none lies there.
bool select_folds(hid_t file_space, hid_t memory_space, const std::vector<int>& folds,
                  std::size_t fold_axis, hsize_t first, hsize_t count, const std::string& path,
                  const std::string& what) {
  const std::vector<hsize_t> shape = shape_of(file_space);
  check(H5Sselect_none(file_space), path, what);
  check(H5Sselect_none(memory_space), path, what);
  bool any = false;
  auto f = std::lower_bound(folds.begin(), folds.end(), static_cast<int>(first));
  while (f != folds.end() && static_cast<hsize_t>(*f) < first + count) {
    auto end = f + 1;
    while (end != folds.end() && *end == *(end - 1) + 1 && static_cast<hsize_t>(*end) < first + count) ++end;
    std::vector<hsize_t> start(shape.size(), 0), block = shape;
    start[fold_axis] = static_cast<hsize_t>(*f);
    block[fold_axis] = static_cast<hsize_t>(end - f);
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_OR, start.data(), nullptr, block.data(), nullptr),
          path, what);
    start[fold_axis] -= first;
    check(H5Sselect_hyperslab(memory_space, H5S_SELECT_OR, start.data(), nullptr, block.data(), nullptr),
          path, what);
    any = true;
    f = end;
  }
  return any;
}

// Copies values through memory, `slab` folds along `fold_axis` at a time
// (the whole variable at once when it has no fold axis). `parts`: where
// each fold is read from (every fold in exactly one); none: `from`.
void copy_values(hid_t from, hid_t to, hid_t type, const std::vector<hsize_t>& shape,
                 std::size_t fold_axis, hsize_t slab, const std::string& what,
                 const std::string& path, const std::vector<FoldPart>* parts = nullptr) {
  const std::size_t rank = shape.size();
  Buffer buffer(type, path, what);
  const hid_t memory_type = buffer.memory_type();
  if (fold_axis >= rank) {
    const h5::Dataspace space(H5Dget_space(from), path, what);
    void* values = buffer.reserve(element_count(space.get()));
    check(H5Dread(from, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), path, what);
    const herr_t written = H5Dwrite(to, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    buffer.reclaim(space.get());
    check(written, path, what);
    return;
  }
  for (hsize_t first = 0; first < shape[fold_axis]; first += slab) {
    std::vector<hsize_t> start(rank, 0), count = shape;
    start[fold_axis] = first;
    count[fold_axis] = std::min(slab, shape[fold_axis] - first);
    std::size_t n = 1;
    for (const hsize_t c : count) n *= c;
    const h5::Dataspace memory(H5Screate_simple(static_cast<int>(rank), count.data(), nullptr), path,
                               what);
    const h5::Dataspace out(H5Dget_space(to), path, what);
    check(H5Sselect_hyperslab(out.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          path, what);
    void* values = buffer.reserve(n);
    if (!parts) {
      const h5::Dataspace in(H5Dget_space(from), path, what);
      check(H5Sselect_hyperslab(in.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
            path, what);
      check(H5Dread(from, memory_type, memory.get(), in.get(), H5P_DEFAULT, values), path, what);
    } else {
      for (const FoldPart& part : *parts) {
        if (part.values) {
          copy_from_memory(part, shape, fold_axis, first, count[fold_axis], H5Tget_size(memory_type),
                           static_cast<unsigned char*>(values));
          continue;
        }
        const h5::Dataspace in(H5Dget_space(part.dataset), path, what);
        if (!select_folds(in.get(), memory.get(), part.folds, fold_axis, first, count[fold_axis], path,
                          what))
          continue;
        check(H5Dread(part.dataset, memory_type, memory.get(), in.get(), H5P_DEFAULT, values), path, what);
      }
      check(H5Sselect_all(memory.get()), path, what);
    }
    const herr_t written = H5Dwrite(to, memory_type, memory.get(), out.get(), H5P_DEFAULT, values);
    buffer.reclaim(memory.get());
    check(written, path, what);
  }
}

class Rechunker {
 public:
  Rechunker(const std::string& path, StoreChunks chunks, const FoldOverlay* overlay,
            const TextAttributes& root_texts)
      : path_(path), chunks_(chunks), overlay_(overlay), root_texts_(root_texts) {}

  // `group`: its path under the copied root ("" the root).
  void copy_group(hid_t from, hid_t to, const std::string& group = "") {
    copy_attributes(from, to, path_);
    if (group.empty())
      for (const auto& [name, value] : root_texts_) h5::set_text_attribute(to, name, value, path_);
    // The group's `cutoff` scale (none at a universe's root) while its
    // datasets are copied; the enclosing group's again on return.
    const haddr_t enclosing_fold_scale = fold_scale_;
    fold_scale_ = HADDR_UNDEF;
    if (H5Lexists(from, kFoldScale, H5P_DEFAULT) > 0) {
      const h5::Dataset scale(H5Dopen2(from, kFoldScale, H5P_DEFAULT), path_, "cannot open 'cutoff'");
      fold_scale_ = address_of(scale.get(), path_);
    }
    // Scales are attached once the group's datasets all exist.
    std::vector<Copied> variables;
    for (const std::string& name : link_names(from, path_)) {
      H5O_info_t info{};
      check(H5Oget_info_by_name2(from, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), path_,
            "cannot read '" + name + "'");
      if (info.type == H5O_TYPE_GROUP) {
        const std::string what = "cannot copy group '" + name + "'";
        const h5::Group source(H5Gopen2(from, name.c_str(), H5P_DEFAULT), path_, what);
        const h5::Group target(H5Gcreate2(to, name.c_str(), H5P_DEFAULT,
                                          group_creation(source.get(), what).get(), H5P_DEFAULT),
                               path_, what);
        // Restores fold_scale_ when done.
        copy_group(source.get(), target.get(), group.empty() ? name : group + "/" + name);
      } else if (info.type == H5O_TYPE_DATASET) {
        variables.push_back(copy_dataset(from, to, name, group));
      }
    }
    for (const Copied& v : variables) attach_scales(v);
    if (chunks_ == StoreChunks::for_reading && !variables.empty()) write_index(to, variables);
    fold_scale_ = enclosing_fold_scale;
  }

 private:
  // A fresh list with the source's creation-order tracking (the list a
  // group reports carries its own heap's settings, not for another file).
  h5::PropertyList group_creation(hid_t group, const std::string& what) {
    const h5::PropertyList source(H5Gget_create_plist(group), path_, what);
    h5::PropertyList gcpl(H5Pcreate(H5P_GROUP_CREATE), path_, what);
    unsigned links = 0, attributes = 0;
    check(H5Pget_link_creation_order(source.get(), &links), path_, what);
    check(H5Pget_attr_creation_order(source.get(), &attributes), path_, what);
    check(H5Pset_link_creation_order(gcpl.get(), links), path_, what);
    check(H5Pset_attr_creation_order(gcpl.get(), attributes), path_, what);
    return gcpl;
  }

  struct Copied {
    std::string name;
    h5::Dataset source, target;
    bool is_scale = false;
    std::vector<haddr_t> scales;  // a variable's: the scale of each dimension (HADDR_UNDEF: none)
  };
  struct Scale {
    hid_t copy;        // open while its group is copied
    std::string name;  // the variable's
  };

  // The group's reading index (kReadingIndexAttribute): the group's own
  // attributes and every variable's dimensions and attributes, which a
  // reader would otherwise find attribute by attribute. None where a text is
  // not UTF-8 (JSON's). Written last, from the attributes as copied.
  void write_index(hid_t group, const std::vector<Copied>& variables) {
    const std::string what = "cannot write the reading index";
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const Copied& v : variables) {
      nlohmann::ordered_json entry{{"name", v.name}, {"dims", nlohmann::ordered_json::array()}};
      if (v.is_scale) {
        entry["scale"] = scale_name(v.source.get(), path_, what);
        entry["dims"].push_back(v.name);
      } else {
        for (const haddr_t address : v.scales) {
          const auto found = scales_.find(address);
          if (found == scales_.end()) return;  // a dimension without a scale: no index
          entry["dims"].push_back(found->second.name);
        }
      }
      entry.update(described_attributes(v.source.get(), what));
      entries.push_back(std::move(entry));
    }
    std::string index;
    try {
      index = nlohmann::ordered_json{{"version", kReadingIndexVersion},
                             {"group", described_attributes(group, what)},
                             {"variables", entries}}
                  .dump();
    } catch (const nlohmann::json::exception&) {
      return;
    }
    h5::set_text_attribute(group, kReadingIndexAttribute, index, path_);
  }

  // {"attrs": an object's text attributes, "other": the names of the rest,
  // "order": every name in creation order (the order xarray lists them in),
  // only where that is not the texts then the rest}, leaving out those the
  // dimension-scale API keeps. The names and texts of version 1, which
  // earlier readers read.
  nlohmann::ordered_json described_attributes(hid_t object, const std::string& what) {
    nlohmann::ordered_json texts = nlohmann::ordered_json::object(), other = nlohmann::ordered_json::array(),
                           order = nlohmann::ordered_json::array();
    for (const std::string& name : attribute_names(object, path_)) {
      if (kept_by_dimension_scales(name)) continue;
      const h5::Attribute attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), path_, what);
      const std::optional<std::string> text = text_value(attribute.get(), path_, what);
      if (text)
        texts[name] = *text;
      else
        other.push_back(name);
      order.push_back(name);
    }
    const bool texts_first = std::all_of(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(texts.size()),
                                         [&](const nlohmann::ordered_json& name) { return texts.contains(name); });
    nlohmann::ordered_json described{{"attrs", std::move(texts)}, {"other", std::move(other)}};
    if (!texts_first) described["order"] = std::move(order);
    return described;
  }

  // The address of the scale attached to each dimension (HADDR_UNDEF: none).
  std::vector<haddr_t> scale_addresses(hid_t dataset) {
    const std::string what = "cannot read dimension scales";
    const h5::Dataspace space(H5Dget_space(dataset), path_, what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<haddr_t> addresses(static_cast<std::size_t>(std::max(rank, 0)), HADDR_UNDEF);
    for (int dim = 0; dim < rank; ++dim) {
      if (check(H5DSget_num_scales(dataset, static_cast<unsigned>(dim)), path_, what) <= 0) continue;
      check(H5DSiterate_scales(dataset, static_cast<unsigned>(dim), nullptr, scale_address,
                               &addresses[static_cast<std::size_t>(dim)]),
            path_, what);
    }
    return addresses;
  }

  Copied copy_dataset(hid_t from, hid_t to, const std::string& name, const std::string& group) {
    const std::string what = "cannot copy variable '" + name + "'";
    h5::Dataset source(H5Dopen2(from, name.c_str(), H5P_DEFAULT), path_, what);
    const h5::Datatype type(H5Dget_type(source.get()), path_, what);
    const h5::Dataspace space(H5Dget_space(source.get()), path_, what);
    std::vector<hsize_t> max_shape;
    const std::vector<hsize_t> shape = shape_of(space.get(), &max_shape);
    const h5::PropertyList dcpl(H5Dget_create_plist(source.get()), path_, what);
    const bool is_scale = check(H5DSis_scale(source.get()), path_, what) > 0;
    // A variable's scales: its fold axis below, and attached to the copy
    // once the group's scales are all copied.
    std::vector<haddr_t> scales = is_scale ? std::vector<haddr_t>{} : scale_addresses(source.get());
    const std::size_t fold_axis = fold_axis_of(source.get(), max_shape, scales);
    const bool chunked = H5Pget_layout(dcpl.get()) == H5D_CHUNKED && fold_axis < shape.size();
    bool as_stored = false;
    std::vector<hsize_t> chunk;
    if (chunked) {
      std::vector<hsize_t> old_chunk(shape.size());
      check(H5Pget_chunk(dcpl.get(), static_cast<int>(shape.size()), old_chunk.data()), path_, what);
      chunk = chunk_shape(shape, fold_axis, H5Tget_size(type.get()), chunks_);
      const bool compress = compressed(name, chunks_);
      const std::vector<H5Z_filter_t> filters =
          compress ? std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE,
                                               H5Z_FILTER_FLETCHER32}
                   : std::vector<H5Z_filter_t>{H5Z_FILTER_FLETCHER32};
      as_stored = chunk == old_chunk && filters == filters_of(dcpl.get()) && !overlaid(group, name);
      if (!as_stored) {
        check(H5Premove_filter(dcpl.get(), H5Z_FILTER_ALL), path_, what);
        set_chunk_filters(dcpl.get(), chunk, compress, path_, what);
      }
    }
    // Along `cutoff`: unlimited while folds are written (netCDF's record
    // dimension), the fold count once chunked for reading. h5netcdf (xarray)
    // sizes an unlimited dimension by opening every variable attached to its
    // scale, for every variable that uses it: O(variables^2) per group.
    // A fixed extent needs a whole chunk, hence not for an empty store.
    if (chunked) {
      max_shape = shape;
      if (chunks_ == StoreChunks::per_fold || shape[fold_axis] < chunk[fold_axis])
        max_shape[fold_axis] = H5S_UNLIMITED;
    }
    const h5::Dataspace target_space(
        H5Screate_simple(static_cast<int>(shape.size()), shape.data(), max_shape.data()), path_, what);
    h5::Dataset target(H5Dcreate2(to, name.c_str(), type.get(), target_space.get(), H5P_DEFAULT,
                                  dcpl.get(), H5P_DEFAULT),
                       path_, what);
    if (is_scale) {
      check(H5DSset_scale(target.get(), scale_name(source.get(), path_, what).c_str()), path_, what);
      scales_[address_of(source.get(), path_)] = {target.get(), name};
    }
    copy_attributes(source.get(), target.get(), path_);
    if (as_stored) {
      copy_chunks(source.get(), target.get(), shape, chunk, what, path_);
    } else if (chunked && overlaid(group, name)) {
      // Each fold from the store that has it: the overlay's first source
      // that lists it, else this file.
      const std::vector<FoldSource>& sources = overlay_->groups.at(group);
      std::vector<int> owner(static_cast<std::size_t>(shape[fold_axis]), -1);
      std::vector<h5::Dataset> opened;  // open until copied
      std::vector<FoldPart> parts(sources.size() + 1);
      const Buffer native(type.get(), path_, what);  // the form values in memory take
      for (std::size_t k = 0; k < sources.size(); ++k) {
        const std::string from_source = what + " from another store";
        opened.emplace_back(H5Dopen2(sources[k].group, name.c_str(), H5P_DEFAULT), path_, from_source);
        const h5::Dataspace other(H5Dget_space(opened.back().get()), path_, from_source);
        if (shape_of(other.get()) != shape) h5::fail(path_, from_source + ": laid out otherwise");
        parts[k + 1].dataset = opened.back().get();
        if (sources[k].values) {
          // From memory where it holds this variable's folds as laid out here.
          const auto held = sources[k].values->find(name);
          if (held != sources[k].values->end() && !native.variable_length &&
              holds_folds(held->second, sources[k].folds, shape, fold_axis, H5Tget_size(native.memory_type()))) {
            parts[k + 1].values = &held->second;
            parts[k + 1].value_folds = &sources[k].folds;
          }
        }
        for (const int f : sources[k].folds) {
          if (f < 0 || static_cast<hsize_t>(f) >= shape[fold_axis])
            h5::fail(path_, from_source + ": fold " + std::to_string(f) + " out of range");
          if (owner[static_cast<std::size_t>(f)] < 0) owner[static_cast<std::size_t>(f)] = static_cast<int>(k + 1);
        }
      }
      parts[0].dataset = source.get();
      for (std::size_t f = 0; f < owner.size(); ++f)
        parts[static_cast<std::size_t>(std::max(owner[f], 0))].folds.push_back(static_cast<int>(f));
      copy_values(source.get(), target.get(), type.get(), shape, fold_axis, slab_of(shape, fold_axis, chunk, type.get()),
                  what, path_, &parts);
    } else {
      copy_values(source.get(), target.get(), type.get(), shape, chunked ? fold_axis : shape.size(),
                  chunked ? slab_of(shape, fold_axis, chunk, type.get()) : 1, what, path_);
    }
    return {name, std::move(source), std::move(target), is_scale, std::move(scales)};
  }

  // Folds copied at once: whole target chunks, about kSlabBytes (a
  // compressed chunk is written once).
  static hsize_t slab_of(const std::vector<hsize_t>& shape, std::size_t fold_axis,
                         const std::vector<hsize_t>& chunk, hid_t type) {
    hsize_t fold_bytes = H5Tget_size(type);
    for (std::size_t i = 0; i < shape.size(); ++i)
      if (i != fold_axis) fold_bytes *= std::max<hsize_t>(shape[i], 1);
    const hsize_t chunk_bytes = std::max<hsize_t>(fold_bytes * chunk[fold_axis], 1);
    return chunk[fold_axis] * std::max<hsize_t>(kSlabBytes / chunk_bytes, 1);
  }

  // Whether the overlay gives folds of variable `name` of `group`.
  bool overlaid(const std::string& group, const std::string& name) const {
    return overlay_ && overlay_->variables.count(name) > 0 && overlay_->groups.count(group) > 0;
  }

  // The axis along `cutoff`: the unlimited one, or in a store chunked for
  // reading (fixed extents) the one attached to the group's `cutoff` scale
  // (`scales`: the dataset's, by dimension); the rank when there is none.
  std::size_t fold_axis_of(hid_t dataset, const std::vector<hsize_t>& max_shape,
                           const std::vector<haddr_t>& scales) {
    const auto unlimited = std::find(max_shape.begin(), max_shape.end(), H5S_UNLIMITED);
    if (unlimited != max_shape.end()) return static_cast<std::size_t>(unlimited - max_shape.begin());
    if (fold_scale_ == HADDR_UNDEF || max_shape.empty()) return max_shape.size();
    if (address_of(dataset, path_) == fold_scale_) return 0;  // the scale itself
    const auto found = std::find(scales.begin(), scales.end(), fold_scale_);
    return found == scales.end() ? max_shape.size() : static_cast<std::size_t>(found - scales.begin());
  }

  void attach_scales(const Copied& v) {
    for (std::size_t dim = 0; dim < v.scales.size(); ++dim) {
      if (v.scales[dim] == HADDR_UNDEF) continue;
      const std::string what = "cannot attach dimension " + std::to_string(dim) + " of '" + v.name + "'";
      const auto scale = scales_.find(v.scales[dim]);
      if (scale == scales_.end()) h5::fail(path_, what + ": its scale is not in the same group");
      check(H5DSattach_scale(v.target.get(), scale->second.copy, static_cast<unsigned>(dim)), path_,
            what);
    }
  }

  const std::string& path_;
  StoreChunks chunks_;
  const FoldOverlay* overlay_;
  const TextAttributes& root_texts_;
  std::map<haddr_t, Scale> scales_;  // by the source scale's address
  haddr_t fold_scale_ = HADDR_UNDEF;  // the address of the group being copied's `cutoff`
};

}  // namespace

hsize_t items_per_chunk(hsize_t count, hsize_t item_bytes) {
  using Wide = unsigned __int128;
  if (count == 0) return 1;
  const Wide bytes = Wide{count} * std::max<hsize_t>(item_bytes, 1);
  const Wide chunks = (bytes + kMaxChunkBytes - 1) / kMaxChunkBytes;
  return static_cast<hsize_t>((Wide{count} + chunks - 1) / chunks);
}

std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& shape, std::size_t fold_axis,
                                 std::size_t type_size, StoreChunks chunks) {
  using Wide = unsigned __int128;
  const std::size_t rank = shape.size();
  std::vector<hsize_t> chunk(rank);
  for (std::size_t i = 0; i < rank; ++i) chunk[i] = std::max<hsize_t>(shape[i], 1);
  Wide fold_bytes = std::max<std::size_t>(type_size, 1);
  for (std::size_t i = 0; i < rank; ++i)
    if (i != fold_axis) fold_bytes *= chunk[i];
  if (chunks == StoreChunks::for_reading && fold_bytes <= kMaxChunkBytes) {
    chunk[fold_axis] = std::min<hsize_t>(static_cast<hsize_t>(kMaxChunkBytes / fold_bytes),
                                         chunk[fold_axis]);
    return chunk;
  }
  chunk[fold_axis] = 1;
  if (fold_axis + 1 < rank) {
    Wide item_bytes = std::max<std::size_t>(type_size, 1);
    for (std::size_t i = 0; i < rank; ++i)
      if (i != fold_axis && i != fold_axis + 1) item_bytes *= chunk[i];
    const hsize_t capped = item_bytes > kMaxChunkBytes ? kMaxChunkBytes : static_cast<hsize_t>(item_bytes);
    chunk[fold_axis + 1] = items_per_chunk(shape[fold_axis + 1], capped);
  }
  return chunk;
}

void set_chunk_filters(hid_t dcpl, const std::vector<hsize_t>& chunk, bool compress,
                       const std::string& file, const std::string& what) {
  check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), file, what);
  if (compress) {
    check(H5Pset_shuffle(dcpl), file, what);
    check(H5Pset_deflate(dcpl, 1), file, what);
  }
  // A checksum per chunk, over the bytes as stored (after compression): a
  // damaged chunk fails to read instead of giving other numbers.
  check(H5Pset_fletcher32(dcpl), file, what);
}

void copy_rechunked(hid_t source, hid_t target, const std::string& path, StoreChunks chunks,
                    const FoldOverlay* overlay, const TextAttributes& root_texts) {
  Rechunker(path, chunks, overlay, root_texts).copy_group(source, target);
}

}  // namespace arabica
