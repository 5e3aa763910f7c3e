#include "persistence/session_file.h"

#include "io/atomic_file.h"
#include "io/input_gate.h"
#include "io/model_file.h"
#include "persistence/settings_json.h"
#include "util/error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUuid>
#include <cmath>

using lora::InputError;

namespace {

const QString kJsonName = QStringLiteral("session.json");
const QString kFormat = QStringLiteral("lora-explorer-session");

std::string str(const QString& s) {
    return s.toStdString();
}

// A folder this program saved: its session.json (a regular file, at most 64 MiB) is a JSON
// object whose "format" is ours. Any file merely named session.json is not enough.
bool isOurSession(const QString& dir) {
    const QFileInfo json(QDir(dir).filePath(kJsonName));
    if (json.isSymLink() || !json.isFile()) return false;
    try {
        const std::vector<std::uint8_t> bytes =
            lora::readFileBytes(str(json.filePath()), std::size_t(64) << 20);
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(
            reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size())));
        return doc.isObject() && doc.object().value("format").toString() == kFormat;
    } catch (const InputError&) {
        return false;
    }
}

// What earlier versions' two-rename save left in `parent` when killed: "<name>.old-<8 hex>"
// (the previous session) is put back if nothing took its place; it and "<name>.saving-<8 hex>"
// (a half-written one) otherwise go, if they hold nothing but what a save writes.
void removeLegacySaveDebris(const QString& parent) {
    static const QRegularExpression debris(QStringLiteral("^(.+)\\.(saving|old)-[0-9a-f]{8}$"));
    static const QStringList saved{kJsonName, "base.safetensors", "full.safetensors", "adapters"};
    const QDir folder(parent);
    for (const QString& entry :
         folder.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QRegularExpressionMatch m = debris.match(entry);
        const QString path = folder.filePath(entry);
        if (!m.hasMatch() || QFileInfo(path).isSymLink()) continue;
        bool onlySaved = true;
        for (const QString& inside : QDir(path).entryList(QDir::AllEntries | QDir::NoDotAndDotDot |
                                                          QDir::Hidden | QDir::System))
            onlySaved = onlySaved && saved.contains(inside);
        if (!onlySaved) continue;
        if (m.captured(2) == QLatin1String("old") && isOurSession(path) &&
            !QFileInfo::exists(folder.filePath(m.captured(1))) &&
            QDir().rename(path, folder.filePath(m.captured(1))))
            continue;
        QDir(path).removeRecursively();
    }
}

// "7v8 r4 α1" → "7v8_r4_α1": a folder name on every file system, unique in `taken`.
QString folderFor(const QString& name, QSet<QString>& taken) {
    QString stem;
    // ASCII only: the folder travels in zip files and to other file systems.
    for (QChar c : name)
        stem +=
            (c.unicode() < 128 && c.isLetterOrNumber()) || c == QLatin1Char('-') ? c : QChar('_');
    QString folder = stem.isEmpty() ? QStringLiteral("adapter") : stem;
    for (int i = 2; taken.contains(folder); ++i) folder = stem + QStringLiteral("_%1").arg(i);
    taken.insert(folder);
    return folder;
}

void writeModel(const QString& path, const lora::Mlp& model, const std::vector<int>& classes) {
    lora::saveModel(str(path), model, {classes});
}

QJsonObject buildJson(const SessionContents& c, const QJsonArray& adapters) {
    QJsonObject dataset{{"source", c.datasetDir.isEmpty() ? "embedded" : "folder"}};
    if (!c.datasetDir.isEmpty()) dataset["path"] = QDir(c.datasetDir).absolutePath();
    return QJsonObject{
        {"format", kFormat},
        {"version", kSessionVersion},
        {"written_by",
         QStringLiteral("LoRA Explorer %1").arg(QCoreApplication::applicationVersion())},
        {"saved_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {"dataset", dataset},
        {"settings", settingsToJson(c.settings)},
        {"lora_enabled", c.loraEnabled},
        {"base", c.base ? QJsonValue("base.safetensors") : QJsonValue()},
        {"full", c.full ? QJsonValue("full.safetensors") : QJsonValue()},
        {"adapters", adapters},
        {"active_adapter", c.activeAdapter},
        {"merged", c.merged},
        {"history", c.history},
        {"controls", c.controls},
        {"insights", c.insights},
        {"current_tab", c.currentTab},
    };
}

// Fills `dir` (new and empty) with the session.
void writeInto(const QString& dir, const SessionContents& c) {
    if (c.full && !c.base) throw InputError("a session with a full fine-tune needs its base");
    if (!c.adapters.empty() && !c.base) throw InputError("a session with adapters needs a base");
    if (c.base) writeModel(QDir(dir).filePath("base.safetensors"), *c.base, c.settings.baseClasses);
    if (c.full)
        writeModel(QDir(dir).filePath("full.safetensors"), *c.full, c.settings.targetClasses);
    QJsonArray adapters;
    QSet<QString> taken;
    for (const lora::AdapterEntry& e : c.adapters) {
        const QString name = QString::fromStdString(e.name);
        const QString rel = QStringLiteral("adapters/") + folderFor(name, taken);
        lora::writeAdapter(str(QDir(dir).filePath(rel)), *c.base, e.weights, e.info);
        adapters.append(QJsonObject{{"name", name}, {"path", rel}});
    }
    const QByteArray json = QJsonDocument(buildJson(c, adapters)).toJson(QJsonDocument::Indented);
    lora::writeFileAtomic(str(QDir(dir).filePath(kJsonName)), json.toStdString());
}

[[noreturn]] void fail(const QString& file, const std::string& problem) {
    throw InputError(str(file) + ": " + problem);
}

// A file named inside the session: relative, below the folder, present.
QString inside(const QString& folder, const QString& jsonPath, const QString& rel,
               const char* key) {
    const QString clean = QDir::cleanPath(rel);
    if (rel.isEmpty() || QDir::isAbsolutePath(rel) || clean.startsWith(QLatin1String("..")))
        fail(jsonPath, std::string(key) + " must be a path inside the session folder, not \"" +
                           str(rel.left(60)) + "\"");
    const QString full = QDir(folder).filePath(clean);
    if (!QFileInfo::exists(full))
        fail(jsonPath, std::string(key) + " names " + str(clean) + ", which is missing");
    return full;
}

ModelPtr readModel(const QString& folder, const QString& jsonPath, const QJsonValue& v,
                   const char* key) {
    if (v.isNull() || v.isUndefined()) return nullptr;
    if (!v.isString()) fail(jsonPath, std::string(key) + " must be a file name or null");
    // Confined: a symlink in the session that leads out of its folder is refused.
    lora::LoadedModel loaded =
        lora::loadModel(str(inside(folder, jsonPath, v.toString(), key)), str(folder));
    return std::make_shared<const lora::Mlp>(std::move(loaded.model));
}

} // namespace

QString sessionFolderOf(const QString& path) {
    const QFileInfo info(path);
    return info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

void writeSessionFolder(const QString& dir, const SessionContents& contents) {
    const QFileInfo target(dir);
    if (target.exists() && !target.isDir() && !target.isSymLink())
        throw InputError(str(dir) + " is a file; choose a folder name for the session");
    if (target.isDir() && !target.isSymLink() && !QDir(dir).isEmpty() && !isOurSession(dir))
        throw InputError(str(dir) +
                         " is a folder that holds no LoRA Explorer session.json; "
                         "choose a new or empty folder so that nothing else is replaced");
    removeLegacySaveDebris(target.absolutePath());
    // One swap of the whole folder (core/io/atomic_file): the user's other files and folders
    // in it are carried across and its mode kept; what an earlier save wrote is not carried,
    // so an adapter removed since then does not linger.
    lora::replaceDirectoryAtomic(
        str(dir),
        [&](const std::string& temp) { writeInto(QString::fromStdString(temp), contents); },
        {str(kJsonName), "base.safetensors", "full.safetensors", "adapters"},
        [](const std::string& folder) { return isOurSession(QString::fromStdString(folder)); },
        "no LoRA Explorer session.json");
}

namespace {

// session.json's top-level object, its format and version checked.
QJsonObject readSessionJson(const QString& folder, const QString& jsonPath) {
    // exists(), not isFile(): a FIFO or device there is refused by the input gate, by name.
    if (!QFileInfo::exists(jsonPath) && !QFileInfo(jsonPath).isSymLink())
        throw InputError(str(folder) + " is not a session folder: it has no session.json");
    const std::vector<std::uint8_t> bytes =
        lora::readFileBytes(str(jsonPath), lora::kMaxSessionJsonBytes, str(folder));
    QJsonParseError error;
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char*>(bytes.data()),
                                           static_cast<qsizetype>(bytes.size())),
                                &error);
    if (error.error != QJsonParseError::NoError)
        fail(jsonPath, "not valid JSON: " + str(error.errorString()) + " at byte " +
                           std::to_string(error.offset));
    if (!doc.isObject()) fail(jsonPath, "not a session: the top level is not an object");
    const QJsonObject o = doc.object();
    if (o.value("format").toString() != kFormat)
        fail(jsonPath, "not a LoRA Explorer session (\"format\" is not \"" + str(kFormat) + "\")");
    const int version = o.value("version").toInt(-1);
    if (version > kSessionVersion)
        fail(jsonPath, "written by a newer LoRA Explorer (session version " +
                           std::to_string(version) + "); this one reads version " +
                           std::to_string(kSessionVersion));
    if (version < 1) fail(jsonPath, "\"version\" must be a whole number ≥ 1");
    return o;
}

// Settings, dataset, LoRA toggle and the JSON objects the window reads itself.
void readPlainValues(const QJsonObject& o, SessionContents& c) {
    if (!o.value("settings").isObject()) throw InputError("settings must be an object");
    c.settings = settingsFromJson(o.value("settings").toObject());
    const QJsonObject dataset = o.value("dataset").toObject();
    const QString source = dataset.value("source").toString();
    if (source == QLatin1String("folder")) {
        c.datasetDir = dataset.value("path").toString();
        if (c.datasetDir.isEmpty()) throw InputError("dataset.path must name a folder");
    } else if (source != QLatin1String("embedded")) {
        throw InputError("dataset.source must be \"embedded\" or \"folder\"");
    }
    if (!o.value("lora_enabled").isBool()) throw InputError("lora_enabled must be true or false");
    c.loraEnabled = o.value("lora_enabled").toBool();
    for (const char* key : {"history", "controls"})
        if (!o.value(QLatin1String(key)).isObject())
            throw InputError(std::string(key) + " must be an object");
    c.history = o.value("history").toObject();
    c.controls = o.value("controls").toObject();
    // Sessions saved before the insight results were kept have none.
    const QJsonValue insights = o.value("insights");
    if (!insights.isUndefined() && !insights.isObject())
        throw InputError("insights must be an object");
    c.insights = insights.toObject();
    c.currentTab = o.value("current_tab").toInt(0);
}

// The adapter folders, each read against the base, and which one is active (and merged).
void readAdapters(const QJsonObject& o, const QString& folder, const QString& jsonPath,
                  SessionContents& c) {
    const QJsonValue adapters = o.value("adapters");
    if (!adapters.isArray()) fail(jsonPath, "adapters must be an array");
    if (!adapters.toArray().isEmpty() && !c.base) fail(jsonPath, "adapters need a base");
    QSet<QString> names;
    for (const QJsonValue& a : adapters.toArray()) {
        const QString name = a.toObject().value("name").toString();
        if (name.trimmed().isEmpty()) fail(jsonPath, "every adapter needs a name");
        if (names.contains(name)) fail(jsonPath, "adapter \"" + str(name) + "\" is listed twice");
        names.insert(name);
        const QString dir =
            inside(folder, jsonPath, a.toObject().value("path").toString(), "adapters[].path");
        lora::ImportedAdapter read = lora::readAdapter(str(dir), *c.base, str(folder));
        c.adapters.push_back({str(name), std::move(read.weights), std::move(read.info), {}});
    }
    c.activeAdapter = o.value("active_adapter").toString();
    if (!c.activeAdapter.isEmpty() && !names.contains(c.activeAdapter))
        fail(jsonPath, "active_adapter \"" + str(c.activeAdapter) + "\" is not in adapters");
    c.merged = o.value("merged").toBool(false);
    if (c.merged && c.activeAdapter.isEmpty()) fail(jsonPath, "merged needs an active_adapter");
}

} // namespace

SessionContents readSessionFolder(const QString& path) {
    const QString folder = sessionFolderOf(path);
    const QString jsonPath = QDir(folder).filePath(kJsonName);
    const QJsonObject o = readSessionJson(folder, jsonPath);
    SessionContents c;
    try {
        readPlainValues(o, c);
    } catch (const InputError& e) {
        fail(jsonPath, e.what());
    }
    c.base = readModel(folder, jsonPath, o.value("base"), "base");
    c.full = readModel(folder, jsonPath, o.value("full"), "full");
    if (c.base && c.base->architecture() != c.settings.architecture)
        fail(jsonPath, "base.safetensors is a " + c.base->architecture() +
                           " network but the settings say " + c.settings.architecture);
    if (c.full && (!c.base || c.full->architecture() != c.base->architecture()))
        fail(jsonPath, "full.safetensors must be a fine-tune of the base (" +
                           (c.base ? c.base->architecture() : std::string("no base")) + ")");
    readAdapters(o, folder, jsonPath, c);
    return c;
}
