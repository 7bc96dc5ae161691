// _core.backfill: the universe backfill of `arabica backfill` on series
// handed over as frames, into its resumable store (cross_validation).
#include <nanobind/stl/function.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>

#include <CLI/CLI.hpp>

#include "arabica/error.hpp"
#include "cli/backfill_options.hpp"
#include "cli/interruption.hpp"
#include "cli/universe_backfill.hpp"
#include "frame_series.hpp"

namespace arabica::python {

namespace {

/// One series of the frame: its rows (dates, then target and covariates),
/// where they sit in the frame, and its own plan bounds (empty: the run's).
struct FrameMember {
  std::string name;
  DateArray dates;
  ValueMatrix values;
  std::vector<std::size_t> lines;
  std::string start, end;
};

// The options as `arabica backfill` parses them: the same defaults, checks
// and messages.
cli::BackfillOptions parse_backfill_options(const std::vector<std::string>& args) {
  cli::BackfillOptions options;
  CLI::App app{"arabica backfill (cross_validation)"};
  cli::add_backfill_options(app, options);
  cli::add_end_option(app, options);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    throw InputError("cross_validation", error.what());
  }
  options.quiet = true;
  options.print_reports = false;
  return options;
}

void backfill(const std::vector<std::string>& args, const std::vector<FrameMember>& frames,
              const std::string& source, const std::vector<std::size_t>& positions,
              const std::function<void(int, int)>& progress, const std::function<void(const std::string&)>& warning) {
  // Warnings go to Python (`warning`: warnings.warn) as they are made, with
  // the GIL held, instead of to stderr: also those of a run that then
  // raises. An exception there (a warnings filter set to "error") ends the
  // run as an error of the run would.
  const cli::WarningSink warn = [&warning](const std::string& line) {
    nb::gil_scoped_acquire acquire;
    warning(line);
  };
  cli::BackfillOptions options;
  std::vector<cli::UniverseMember> members;
  std::vector<std::string> not_run;
  std::vector<std::string> names;
  {
    nb::gil_scoped_release release;
    options = parse_backfill_options(args);
    for (const FrameMember& frame : frames) {
      if (std::find(names.begin(), names.end(), frame.name) != names.end())
        throw InputError(source, "series '" + frame.name + "' given twice");
      names.push_back(frame.name);
      cli::UniverseSeries entry{frame.name, options, source};
      if (!frame.start.empty()) entry.options.start = frame.start;
      if (!frame.end.empty()) entry.options.end = frame.end;
      CsvSpec spec = cli::csv_spec(entry.options.model);
      spec.path = source + " (" + frame.name + ")";
      spec.min_rows = 1;  // a short series fails open in plan_member
      cli::UniverseMember member;
      const std::string reason = cli::plan_member(
          entry, frame_series(spec, frame.dates, frame.values, positions, frame.lines), member, warn);
      if (reason.empty())
        members.push_back(std::move(member));
      else
        not_run.push_back(frame.name + ": " + reason);
    }
  }
  // Progress reaches Python with the GIL held; an error there is reported
  // as unraisable rather than ending a run that commits fold by fold.
  std::function<void(int, int)> report;
  if (progress)
    report = [&progress](int done, int total) {
      nb::gil_scoped_acquire acquire;
      try {
        progress(done, total);
      } catch (nb::python_error& error) {
        error.discard_as_unraisable("arabica progress callback");
      }
    };
  nb::gil_scoped_release release;
  const cli::ScopedInterruptHandlers interrupts;  // Ctrl-C stops between folds
  cli::run_universe(options, std::move(members), not_run, source, report, warn);
}

}  // namespace

void register_backfill(nb::module_& m) {
  nb::class_<FrameMember>(m, "FrameMember")
      .def(nb::init<>())
      .def_rw("name", &FrameMember::name)
      .def_rw("dates", &FrameMember::dates)
      .def_rw("values", &FrameMember::values)
      .def_rw("lines", &FrameMember::lines)
      .def_rw("start", &FrameMember::start)
      .def_rw("end", &FrameMember::end);
  m.def("backfill", &backfill, nb::arg("args"), nb::arg("series"), nb::arg("source"),
        nb::arg("positions"), nb::arg("progress").none(), nb::arg("warning"),
        "Runs `arabica backfill ARGS` over the series into the store named by --out; its warnings go to "
        "`warning` as they are made");
}

}  // namespace arabica::python
