#include "linalg/checkpoint_targets.h"

#include "util/error.h"

#include <algorithm>

namespace lora {

namespace {

bool cut(const std::string& name, const std::string& prefix, std::string& rest) {
    if (name.rfind(prefix, 0) != 0) return false;
    rest = name.substr(prefix.size());
    return true;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
        text.replace(at, from.size(), to);
    return text;
}

// Paths (without ".weight") a PEFT or diffusers module name may stand for, best first.
std::vector<std::string> candidates(const std::string& module) {
    std::string path;
    if (cut(module, "base_model.model.", path)) {
        std::vector<std::string> out = {path};
        const std::size_t dot = path.find('.');
        if (dot != std::string::npos) out.push_back(path.substr(dot + 1));
        out.push_back("model." + path);
        return out;
    }
    for (const char* component :
         {"unet.", "transformer.", "text_encoder.", "text_encoder_2.", "prior."}) {
        if (!cut(module, component, path)) continue;
        path = replaceAll(path, ".processor.", ".");
        return {path, path + ".0"}; // legacy to_out stands for to_out.0
    }
    return {module};
}

} // namespace

CheckpointTargets::CheckpointTargets(const std::vector<std::string>& tensorNames) {
    for (const std::string& name : tensorNames) {
        m_names.emplace(name, 0);
        if (name.size() > 7 && name.ends_with(".weight"))
            m_flat[replaceAll(name.substr(0, name.size() - 7), ".", "_")].push_back(name);
    }
}

std::string CheckpointTargets::kohyaMatch(const std::string& key, const std::string& module,
                                          const std::string& what) const {
    const auto exact = m_flat.find(key);
    std::vector<std::string> found;
    if (exact != m_flat.end()) {
        found = exact->second;
    } else {
        const std::string tail = "_" + key;
        for (const auto& [flat, names] : m_flat)
            if (flat.ends_with(tail)) found.insert(found.end(), names.begin(), names.end());
    }
    if (found.size() == 1) return found.front();
    if (found.empty())
        throw InputError(what + ": module " + quotedName(module) +
                         " has no weight in the checkpoint to merge into");
    throw InputError(what + ": module " + quotedName(module) + " matches " +
                     std::to_string(found.size()) + " checkpoint weights (" + quotedName(found[0]) +
                     ", " + quotedName(found[1]) + "); it must match one");
}

std::string CheckpointTargets::weightFor(const std::string& module, const std::string& what) const {
    std::string key;
    for (const char* prefix : {"lora_unet_", "lora_te1_", "lora_te2_", "lora_te_"})
        if (cut(module, prefix, key)) return kohyaMatch(key, module, what);
    const std::vector<std::string> paths = candidates(module);
    for (const std::string& path : paths)
        if (has(path + ".weight")) return path + ".weight";
    throw InputError(what + ": module " + quotedName(module) + " has no weight " +
                     quotedName(paths.front() + ".weight") + " in the checkpoint to merge into");
}

} // namespace lora
