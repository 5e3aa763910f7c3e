#include "train/adapter_library.h"

#include "util/error.h"

#include <algorithm>
#include <filesystem>

namespace lora {

namespace {

Mlp plainCopy(const Mlp& model) {
    Mlp copy(model);
    copy.detachLora();
    return copy;
}

} // namespace

std::vector<std::string> AdapterEntry::targets(const Mlp& base) const {
    std::vector<std::string> names;
    for (const auto& l : weights.layers) names.push_back(base.layerName(l.layer));
    return names;
}

AdapterLibrary::AdapterLibrary(const Mlp& base) : m_base(plainCopy(base)), m_model(m_base) {}

const AdapterEntry* AdapterLibrary::find(const std::string& name) const {
    for (const auto& e : m_entries)
        if (e.name == name) return &e;
    return nullptr;
}

const AdapterEntry& AdapterLibrary::at(const std::string& name) const {
    if (const AdapterEntry* e = find(name)) return *e;
    throw InputError("there is no adapter named '" + name + "'");
}

AdapterEntry& AdapterLibrary::entry(const std::string& name) {
    return const_cast<AdapterEntry&>(at(name));
}

const AdapterEntry* AdapterLibrary::active() const {
    return m_active.empty() ? nullptr : find(m_active);
}

std::string AdapterLibrary::uniqueName(const std::string& stem) const {
    if (!find(stem)) return stem;
    for (int i = 2;; ++i)
        if (const std::string name = stem + " " + std::to_string(i); !find(name)) return name;
}

void AdapterLibrary::checkNewName(const std::string& name) const {
    if (name.empty() || std::all_of(name.begin(), name.end(), [](char c) { return c == ' '; }))
        throw InputError("an adapter name cannot be empty");
    if (find(name)) throw InputError("an adapter named '" + name + "' already exists");
}

void AdapterLibrary::add(AdapterEntry entry) {
    checkNewName(entry.name);
    try {
        checkAdapter(m_base, entry.weights);
    } catch (const InputError& e) {
        throw InputError("adapter '" + entry.name + "' does not fit the " + m_base.architecture() +
                         " base: " + e.what());
    }
    m_entries.push_back(std::move(entry));
}

const AdapterEntry& AdapterLibrary::import(const std::string& dir, const std::string& name) {
    std::string chosen = name;
    if (chosen.empty()) {
        auto path = std::filesystem::path(dir);
        if (!path.has_filename()) path = path.parent_path(); // "folder/" names "folder"
        chosen = uniqueName(path.filename().string());
    }
    ImportedAdapter imported = readAdapter(dir, m_base);
    add({chosen, std::move(imported.weights), std::move(imported.info), dir});
    return m_entries.back();
}

void AdapterLibrary::remove(const std::string& name) {
    at(name);
    if (m_merged && name == m_active)
        throw InputError("adapter '" + name + "' is merged into the base; unmerge it first");
    if (name == m_active) setActive({});
    std::erase_if(m_entries, [&](const AdapterEntry& e) { return e.name == name; });
}

void AdapterLibrary::rename(const std::string& from, const std::string& to) {
    AdapterEntry& e = entry(from);
    if (from == to) return;
    checkNewName(to);
    e.name = to;
    if (m_active == from) m_active = to;
}

void AdapterLibrary::setActive(const std::string& name) {
    if (!name.empty()) at(name);
    if (name == m_active) return;
    if (m_merged) unmerge();
    if (name.empty())
        m_model.detachLora();
    else
        attachAdapter(m_model, at(name).weights); // checked when added: cannot fail
    m_active = name;
}

void AdapterLibrary::setTestAccuracy(const std::string& name, float percent) {
    entry(name).info.testAccuracy = percent;
}

MergeReport AdapterLibrary::merge(const Dataset& data) {
    if (m_active.empty()) throw InputError("no adapter is active; choose one to merge");
    if (m_merged) throw InputError("adapter '" + m_active + "' is already merged");
    const MergeReport report = checkMerge(m_model, data); // leaves m_model as it was
    m_premerge.clear();
    for (int i = 0; i < m_model.layerCount(); ++i) m_premerge.push_back(m_model.layer(i).W);
    m_model.setLoraEnabled(true);
    m_model.mergeLora();
    for (int i = 0; i < m_model.layerCount(); ++i) {
        if (m_model.layer(i).W.allFinite()) continue;
        // W + s·BA overflowed: put W back as it was and refuse, as for any bad input.
        m_model.unmergeLora();
        for (int j = 0; j < m_model.layerCount(); ++j) m_model.layer(j).W = m_premerge[j];
        m_premerge.clear();
        throw InputError("merging '" + m_active + "' makes " + m_model.layerName(i) +
                         ".weight overflow to Inf; refusing to merge");
    }
    m_merged = true;
    return report;
}

double AdapterLibrary::unmerge() {
    if (!m_merged) throw InputError("no adapter is merged");
    m_model.unmergeLora();
    double error = 0;
    for (int i = 0; i < m_model.layerCount(); ++i) {
        Matrix& W = m_model.layer(i).W;
        error = std::max<double>(error, (W - m_premerge[i]).cwiseAbs().maxCoeff());
        W = m_premerge[i];
    }
    m_premerge.clear();
    m_merged = false;
    return error;
}

Mlp AdapterLibrary::modelWith(const std::string& name) const {
    Mlp model(m_base);
    attachAdapter(model, at(name).weights);
    return model;
}

void AdapterLibrary::exportAdapter(const std::string& name, const std::string& dir) const {
    const AdapterEntry& e = at(name);
    writeAdapter(dir, m_base, e.weights, e.info);
}

void AdapterLibrary::insert(std::size_t index, AdapterEntry entry) {
    add(std::move(entry)); // checks name and weights; appends
    const auto at =
        m_entries.begin() + static_cast<std::ptrdiff_t>(std::min(index, m_entries.size() - 1));
    std::rotate(at, m_entries.end() - 1, m_entries.end());
}

} // namespace lora
