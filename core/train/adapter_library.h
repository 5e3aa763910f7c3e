#pragma once
// One frozen base and any number of named adapters for it, as PEFT's PeftModel keeps them:
// at most one is active, and the active one can be merged into W and unmerged again. The
// library keeps W as it was before a merge, so unmerging restores it bit for bit; the float
// round trip (W + s·BA − s·BA) is still measured and reported.
#include "data/dataset.h"
#include "io/adapter_dir.h"
#include "train/merge_check.h"

#include <string>
#include <vector>

namespace lora {

struct AdapterEntry {
    std::string name;
    AdapterWeights weights; // r, α, rsLoRA, init and targets live in here
    AdapterInfo info;       // classes it was trained for, its test accuracy
    std::string source;     // the folder it was imported from; empty when trained here

    std::vector<std::string> targets(const Mlp& base) const;
};

class AdapterLibrary {
public:
    explicit AdapterLibrary(const Mlp& base); // any adapters on `base` are left out

    const Mlp& base() const { return m_base; }
    // The base with the active adapter (two paths, or folded into W when merged).
    const Mlp& model() const { return m_model; }
    const std::vector<AdapterEntry>& entries() const { return m_entries; }
    const AdapterEntry* find(const std::string& name) const; // nullptr if absent
    const AdapterEntry& at(const std::string& name) const;   // InputError if absent
    const AdapterEntry* active() const;                      // nullptr when none is
    bool merged() const { return m_merged; }

    // "stem", or "stem 2", "stem 3", … whichever is free.
    std::string uniqueName(const std::string& stem) const;

    // InputError (library unchanged) for an empty or taken name, or weights that do not fit
    // the base (shapes, NaN/Inf).
    void add(AdapterEntry entry);
    // Reads a PEFT adapter folder; the name is the folder's unless given.
    const AdapterEntry& import(const std::string& dir, const std::string& name = {});
    // Refuses while that adapter is merged: unmerge it first.
    void remove(const std::string& name);
    void rename(const std::string& from, const std::string& to);
    // "" deactivates. A merged adapter is unmerged first (as PEFT's set_adapter does).
    void setActive(const std::string& name);
    void setTestAccuracy(const std::string& name, float percent);

    // Folds the active adapter into W. The report's logit figures compare merged and
    // unmerged forwards on `data`. InputError when none is active, it is already merged,
    // or it holds NaN/Inf.
    MergeReport merge(const Dataset& data);
    // Restores W; returns max |(W + s·BA − s·BA) − W| as float arithmetic left it.
    double unmerge();

    // The base with `name` attached, unmerged.
    Mlp modelWith(const std::string& name) const;
    // Writes `name` in PEFT's layout.
    void exportAdapter(const std::string& name, const std::string& dir) const;

    // add() at position `index` of entries() (clamped to the end): an undone removal puts
    // the adapter back where it was.
    void insert(std::size_t index, AdapterEntry entry);

private:
    AdapterEntry& entry(const std::string& name);
    void checkNewName(const std::string& name) const;

    Mlp m_base;
    Mlp m_model;
    std::vector<AdapterEntry> m_entries;
    std::string m_active;
    bool m_merged = false;
    std::vector<Matrix> m_premerge; // W of every layer before the merge
};

} // namespace lora
