// Extending a backfill store: the same configuration run to a later end, or
// on data with rows appended (late actuals), keeps what is already done.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arabica/backfill.hpp"
#include "arabica/error.hpp"
#include "arabica/fnv1a.hpp"

namespace arabica {

namespace {

// The config keys an extension may change: the plan's end (and so its hash)
// and the data, when rows were appended.
constexpr const char* kExtensionKeys[] = {"plan", "plan_hash", "data_hash", "data_rows"};

// The end date in a plan's description ("start=... end=2024-06-30 ...").
std::optional<Date> plan_end(const std::string& description) {
  const std::size_t at = description.find(" end=");
  if (at == std::string::npos) return std::nullopt;
  return parse_date(description.substr(at + 5, 10));
}

bool same_fold(const Fold& a, const Fold& b) {
  return a.cutoff == b.cutoff && a.cutoff_row == b.cutoff_row && a.train_begin == b.train_begin &&
         a.train_end == b.train_end && a.refit == b.refit && a.fit_fold == b.fit_fold &&
         a.warm_start_fold == b.warm_start_fold && a.chain == b.chain;
}

// The old store's folds this run keeps (`done`: its folds done), or
// InputError naming `path` (the store, or a universe's series) and what
// differs.
std::vector<int> folds_to_keep(const std::string& path, const std::string& stored, const std::string& own,
                               const std::vector<bool>& done, const Series& series, const FoldPlan& plan) {
  const nlohmann::json before = nlohmann::json::parse(stored, nullptr, false);
  const nlohmann::json now = nlohmann::json::parse(own);
  const std::string advice = "; use a new --out or the original settings";
  if (before.is_discarded() || !before.is_object())
    throw InputError(path, "was written with another configuration (unreadable config)" + advice);
  // Every key that differs, but those an extension may change; the plan
  // only by its end.
  FoldPlanSpec earlier = plan.spec;
  const std::optional<Date> end = before.contains("plan") && before["plan"].is_string()
                                      ? plan_end(before["plan"].get<std::string>())
                                      : std::nullopt;
  if (end) earlier.end = *end;
  std::vector<std::string> differ;
  for (const auto* object : {&before, &now})
    for (const auto& [key, value] : object->items()) {
      const bool extension_key =
          std::find(std::begin(kExtensionKeys), std::end(kExtensionKeys), key) != std::end(kExtensionKeys);
      const bool plan_by_end = key == "plan" && end && before[key] == describe(earlier);
      if ((extension_key && key != "plan") || plan_by_end) continue;
      if (before.value(key, nlohmann::json()) != now.value(key, nlohmann::json()) &&
          std::find(differ.begin(), differ.end(), key) == differ.end())
        differ.push_back(key);
    }
  if (!differ.empty()) {
    std::string keys;
    for (const std::string& key : differ) keys += (keys.empty() ? "" : ", ") + key;
    throw InputError(path, "was written with another configuration (" + keys + " differ)" + advice);
  }
  // The earlier run's data are this file's first rows, and its plan is this
  // plan's first folds.
  const auto rows = before.value("data_rows", static_cast<std::size_t>(0));
  if (rows == 0 || rows > series.rows() || series_hash(series.head(rows)) != before.value("data_hash", ""))
    throw InputError(path, "was written on other data (the first " + std::to_string(rows) +
                               " rows of this file differ from that run's)" + advice);
  const FoldPlan earlier_plan = plan_folds(series.head(rows).dates, earlier);
  ARABICA_REQUIRE(hex64(plan_hash(earlier_plan)) == before.value("plan_hash", ""),
                  "store extension: the earlier plan does not rebuild from its data");
  if (earlier_plan.folds.size() > plan.folds.size())
    throw InputError(path, "holds " + std::to_string(earlier_plan.folds.size()) +
                               " folds, more than this run's " + std::to_string(plan.folds.size()) +
                               " (an earlier --end)" + advice);
  ARABICA_REQUIRE(done.size() == earlier_plan.folds.size(), "store extension: the store's folds differ from its plan");
  std::vector<int> keep;
  for (std::size_t f = 0; f < earlier_plan.folds.size(); ++f) {
    const Fold& a = earlier_plan.folds[f];
    const Fold& b = plan.folds[f];
    ARABICA_REQUIRE(same_fold(a, b), "store extension: a later end changed an earlier fold");
    // A fold whose realised prices changed (late actuals) is run again: its
    // CRPS and PIT need the paths; the forecast comes out the same.
    if (done[f] && a.target_rows == b.target_rows) keep.push_back(static_cast<int>(f));
  }
  return keep;
}

// The `config` of the store at `path`, or nullopt when there is none or it
// cannot be read (whoever opens it says what it is).
std::optional<std::string> readable_config(const std::string& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    return BackfillStore::stored_config(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

BackfillStore open_backfill_store(const std::string& path, const StoreLayout& layout, const Series& series,
                                  const FoldPlan& plan, StoreOpening* opened) {
  const std::optional<std::string> stored = readable_config(path);
  const std::string& own = layout.text_attribute("config");
  StoreOpening how = !stored ? StoreOpening::created : *stored == own ? StoreOpening::resumed : StoreOpening::extended;
  BackfillStore store = how == StoreOpening::extended
                            ? BackfillStore::extend(
                                  path, layout, folds_kept(BackfillStore::open_read_only(path), path, layout, series, plan),
                                  *stored)
                            : BackfillStore::open_for_writing(path, layout);
  if (opened) *opened = how;
  return store;
}

BackfillStore open_shard_store(const std::string& path, const StoreLayout& layout, const std::string& deliverable,
                               const Series& series, const FoldPlan& plan) {
  // A shard's own store, of this run or an earlier one, is resumed or
  // extended as any store; the folds it lacks are run (or merged) again.
  if (std::filesystem::exists(path)) return open_backfill_store(path, layout, series, plan);
  const std::optional<std::string> stored = readable_config(deliverable);
  if (!stored) return BackfillStore::open_for_writing(path, layout);
  const std::vector<int> keep =
      folds_kept(BackfillStore::open_read_only(deliverable), deliverable, layout, series, plan);
  return BackfillStore::extend(path, layout, keep, *stored, deliverable);
}

std::vector<int> folds_kept(const BackfillStore& stored, const std::string& where, const StoreLayout& layout,
                            const Series& series, const FoldPlan& plan) {
  const std::optional<std::string> config = stored.root_text("config");
  if (!config) throw InputError(where, "holds no configuration; use a new --out");
  const std::vector<bool> done = folds_done(stored);
  const std::string& own = layout.text_attribute("config");
  if (*config != own) return folds_to_keep(where, *config, own, done, series, plan);
  std::vector<int> keep;  // the same run: every fold it has done
  for (std::size_t f = 0; f < done.size(); ++f)
    if (done[f]) keep.push_back(static_cast<int>(f));
  return keep;
}

}  // namespace arabica
