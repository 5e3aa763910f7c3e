#pragma once
// A saved session is a folder a person can zip and send: session.json (settings, dataset
// choice, LoRA toggle, adapter list, recorded curves, panel controls) next to the
// safetensors files it names — base.safetensors, full.safetensors and one PEFT adapter
// folder per adapter under adapters/. Paths inside session.json are relative to the folder.
#include "session/session_contents.h"

#include <QString>

constexpr int kSessionVersion = 1;

// `path` is the session folder or its session.json.
QString sessionFolderOf(const QString& path);

// Builds the folder under a temporary name beside `dir`, then swaps it in, so that a crash
// leaves the old session or the new one. An existing `dir` must be a session folder (or
// empty): anything else is refused rather than replaced. Throws lora::InputError.
void writeSessionFolder(const QString& dir, const SessionContents& contents);

// Reads and checks everything (models, adapters against the base, names, versions) before
// returning; throws lora::InputError "<file>: <problem>" on the first fault. The history
// and controls objects are only checked to be objects here.
SessionContents readSessionFolder(const QString& path);
