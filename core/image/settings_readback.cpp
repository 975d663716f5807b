// References: AUTOMATIC1111 stable-diffusion-webui modules/infotext_utils.py (parse_generation_parameters and
// re_param_code: the last line holds "Key: value" pairs, values with commas are JSON-quoted); ComfyUI
// nodes.py (SaveImage writes the API graph as PNG text `prompt` and the UI graph as `workflow`; KSampler,
// KSamplerAdvanced, CLIPTextEncode and EmptyLatentImage inputs and widget order); SwarmUI
// src/Text2Image/T2IParamInput.cs and T2IParamTypes.cs (the `sui_image_params` object and its keys).
#include "core/image/settings_readback.h"

#include "core/image/embedded_metadata.h"
#include "core/util/utf8.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>

namespace lumina::image {
namespace {

constexpr int kMaxJsonDepth = 64;
constexpr int kMaxGraphHops = 64;
constexpr std::size_t kShownValue = 160;

// Our sampler names (core/vocabulary/choices.cpp); a foreign sampler only maps when it is one of these
// exactly.
bool isOurSampler(std::string_view name) {
    return name == "diffusers-euler" || name == "euler" || name == "midpoint" || name == "rk4";
}

std::string shown(std::string_view value) {
    std::string s(value.substr(0, kShownValue));
    // Never cut a UTF-8 sequence in half.
    while (!s.empty() && !isValidUtf8(s))
        s.pop_back();
    if (value.size() > kShownValue) s += "…";
    return s;
}

std::string shownJson(const nlohmann::json& j) {
    return shown(j.is_string() ? j.get<std::string>()
                               : j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Nesting depth of a JSON text (brackets outside strings); deeper texts are refused before parsing.
int jsonDepth(std::string_view text) {
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

std::optional<nlohmann::json> parseJson(std::string_view text, const char* what, SettingsReadback& r) {
    if (text.size() > kMaxMetadataText) {
        r.problems.push_back(fmt::format("{} is {} bytes, more than the {} MiB this reader accepts; not read",
                                         what, text.size(), kMaxMetadataText >> 20));
        return std::nullopt;
    }
    if (jsonDepth(text) > kMaxJsonDepth) {
        r.problems.push_back(fmt::format("{} nests deeper than {} levels; not read", what, kMaxJsonDepth));
        return std::nullopt;
    }
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) {
        r.problems.push_back(fmt::format("{} is not valid JSON (or not UTF-8); not read", what));
        return std::nullopt;
    }
    return j;
}

// Setters that check what they restore and say why when they cannot.
void setText(SettingsReadback& r, const char* key, std::string_view value, std::string_view from) {
    if (!isValidUtf8(value)) {
        r.problems.push_back(fmt::format("{} is not valid UTF-8 text; not restored", from));
        return;
    }
    r.settings[key] = std::string(value);
}

std::optional<int64_t> wholeNumber(const nlohmann::json& v) {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        if (u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(u);
        return std::nullopt;
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15) return static_cast<int64_t>(d);
    }
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        int64_t out = 0;
        const auto* end = s.data() + s.size();
        auto [p, ec] = std::from_chars(s.data(), end, out);
        if (ec == std::errc() && p == end && !s.empty()) return out;
    }
    return std::nullopt;
}

std::optional<double> realNumber(const nlohmann::json& v) {
    if (v.is_number()) {
        const double d = v.get<double>();
        if (std::isfinite(d)) return d;
        return std::nullopt;
    }
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        double out = 0;
        const auto* end = s.data() + s.size();
        auto [p, ec] = std::from_chars(s.data(), end, out);
        if (ec == std::errc() && p == end && !s.empty() && std::isfinite(out)) return out;
    }
    return std::nullopt;
}

void setInt(SettingsReadback& r, const char* key, const nlohmann::json& v, std::string_view from, int64_t lo,
            int64_t hi) {
    const auto n = wholeNumber(v);
    if (!n || *n < lo || *n > hi) {
        r.problems.push_back(fmt::format("{} = {} is not a whole number from {} to {}; not restored", from,
                                         shownJson(v), lo, hi));
        return;
    }
    r.settings[key] = *n;
}

void setSeed(SettingsReadback& r, const nlohmann::json& v, std::string_view from) {
    if (v.is_number_unsigned()) {
        r.settings["seed"] = v.get<uint64_t>();
        return;
    }
    const auto n = wholeNumber(v);
    if (!n || *n < 0) {
        r.problems.push_back(
            fmt::format("{} = {} is not a non-negative whole number; not restored", from, shownJson(v)));
        return;
    }
    r.settings["seed"] = static_cast<uint64_t>(*n);
}

void setReal(SettingsReadback& r, const char* key, const nlohmann::json& v, std::string_view from) {
    const auto d = realNumber(v);
    if (!d) {
        r.problems.push_back(fmt::format("{} = {} is not a number; not restored", from, shownJson(v)));
        return;
    }
    r.settings[key] = *d;
}

void setSampler(SettingsReadback& r, const nlohmann::json& v, std::string_view from) {
    if (v.is_string() && isOurSampler(v.get<std::string>())) {
        r.settings["sampler"] = v.get<std::string>();
        return;
    }
    r.unmapped.push_back(fmt::format("{}: {} (no sampler of that name here)", from, shownJson(v)));
}

constexpr int64_t kMaxSide = 100000;

// ---------------------------------------------------------------- A1111
// --------------------------------------

bool isWordChar(unsigned char c) {
    return std::isalnum(c) || c == '_' || c >= 0x80;
}

// re_param_code.findall(line): pairs (key, raw value).
std::vector<std::pair<std::string, std::string>> a1111Pairs(std::string_view line) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t pos = 0;
    const std::size_t n = line.size();
    while (pos < n) {
        std::size_t p = pos;
        while (p < n && std::isspace(static_cast<unsigned char>(line[p])))
            ++p;
        const std::size_t keyStart = p;
        if (p >= n || !isWordChar(static_cast<unsigned char>(line[p]))) {
            ++pos;
            continue;
        }
        ++p;
        const std::size_t restStart = p;
        while (p < n && (isWordChar(static_cast<unsigned char>(line[p])) || line[p] == ' ' ||
                         line[p] == '-' || line[p] == '/'))
            ++p;
        if (p == restStart || p >= n || line[p] != ':') {
            ++pos;
            continue;
        }
        std::string key(line.substr(keyStart, p - keyStart));
        ++p; // ':'
        while (p < n && std::isspace(static_cast<unsigned char>(line[p])))
            ++p;
        std::string value;
        bool matched = false;
        if (p < n && line[p] == '"') { // "(?:\\.|[^\\"])+" followed by , or end
            std::size_t q = p + 1;
            bool ok = false;
            while (q < n) {
                if (line[q] == '\\' && q + 1 < n) {
                    q += 2;
                    continue;
                }
                if (line[q] == '\\') break;
                if (line[q] == '"') {
                    ok = q > p + 1;
                    break;
                }
                ++q;
            }
            if (ok && (q + 1 == n || line[q + 1] == ',')) {
                value = std::string(line.substr(p, q + 1 - p));
                p = q + 1;
                matched = true;
            }
        }
        if (!matched) {
            const std::size_t end = line.find(',', p);
            const std::size_t stop = end == std::string_view::npos ? n : end;
            value = std::string(line.substr(p, stop - p));
            p = stop;
        }
        if (p < n && line[p] == ',') ++p;
        out.emplace_back(std::move(key), std::move(value));
        pos = std::max(p, pos + 1);
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// ---------------------------------------------------------------- ComfyUI
// -------------------------------------

bool isLink(const nlohmann::json& v) {
    return v.is_array() && v.size() == 2 && (v[0].is_string() || v[0].is_number_integer()) &&
           v[1].is_number_integer();
}

std::string linkTarget(const nlohmann::json& v) {
    return v[0].is_string() ? v[0].get<std::string>() : std::to_string(v[0].get<int64_t>());
}

struct ApiGraph {
    const nlohmann::json& nodes;
    SettingsReadback& r;

    const nlohmann::json* inputsOf(const std::string& id) const {
        auto it = nodes.find(id);
        if (it == nodes.end() || !it->is_object()) return nullptr;
        auto in = it->find("inputs");
        if (in == it->end() || !in->is_object()) return nullptr;
        return &*in;
    }
    std::string classOf(const std::string& id) const {
        auto it = nodes.find(id);
        if (it == nodes.end() || !it->is_object()) return {};
        auto c = it->find("class_type");
        return c != it->end() && c->is_string() ? c->get<std::string>() : std::string();
    }

    // The first literal under one of `names`, following links upstream (loops and depth bounded).
    std::optional<nlohmann::json> find(const nlohmann::json& start, const std::vector<std::string>& names,
                                       const char* what) const {
        std::set<std::string> visited;
        nlohmann::json current = start;
        for (int hop = 0; hop < kMaxGraphHops; ++hop) {
            if (!isLink(current)) return current;
            const auto id = linkTarget(current);
            if (!visited.insert(id).second) {
                r.problems.push_back(
                    fmt::format("the ComfyUI graph loops back to node {} while looking for the "
                                "{}; not restored",
                                shown(id), what));
                return std::nullopt;
            }
            const auto* inputs = inputsOf(id);
            if (!inputs) {
                r.problems.push_back(
                    fmt::format("the {} comes from node {}, which the ComfyUI graph does not "
                                "hold; not restored",
                                what, shown(id)));
                return std::nullopt;
            }
            const nlohmann::json* next = nullptr;
            for (const auto& name : names)
                if (auto it = inputs->find(name); it != inputs->end()) {
                    next = &*it;
                    break;
                }
            if (!next) // pass-through nodes (conditioning combiners, reroutes): the first linked input
                for (const auto& [k, v] : inputs->items())
                    if (isLink(v)) {
                        next = &v;
                        break;
                    }
            if (!next) {
                r.problems.push_back(fmt::format("node {} ({}) gives the {} but holds no value for it; not "
                                                 "restored",
                                                 shown(id), shown(classOf(id)), what));
                return std::nullopt;
            }
            current = *next;
        }
        r.problems.push_back(
            fmt::format("the {} is more than {} nodes upstream; not restored", what, kMaxGraphHops));
        return std::nullopt;
    }
};

bool isSamplerClass(const std::string& c) {
    return c == "KSampler" || c == "KSamplerAdvanced";
}

// Numeric ids sort numerically ("10" after "9"), others after them by text.
bool idLess(const std::string& a, const std::string& b) {
    int64_t x = 0, y = 0;
    const bool na = std::from_chars(a.data(), a.data() + a.size(), x).ec == std::errc();
    const bool nb = std::from_chars(b.data(), b.data() + b.size(), y).ec == std::errc();
    if (na && nb && x != y) return x < y;
    if (na != nb) return na;
    return a < b;
}

void readComfyApi(const nlohmann::json& graph, SettingsReadback& r) {
    std::vector<std::string> samplers;
    std::set<std::string> others;
    for (const auto& [id, node] : graph.items()) {
        if (!node.is_object()) continue;
        const auto c = node.value("class_type", nlohmann::json()).is_string()
                           ? node["class_type"].get<std::string>()
                           : std::string();
        if (isSamplerClass(c))
            samplers.push_back(id);
        else if (c.find("Sampler") != std::string::npos)
            others.insert(c);
    }
    for (const auto& c : others)
        r.unmapped.push_back(fmt::format("ComfyUI node {} (its settings are not read)", shown(c)));
    if (samplers.empty()) {
        r.problems.push_back("the ComfyUI graph has no KSampler or KSamplerAdvanced node; nothing restored");
        return;
    }
    std::sort(samplers.begin(), samplers.end(), idLess);
    if (samplers.size() > 1)
        r.problems.push_back(fmt::format("the ComfyUI graph has {} sampler nodes; settings read from node {}",
                                         samplers.size(), shown(samplers.front())));
    ApiGraph g{graph, r};
    const auto& id = samplers.front();
    const auto* inputs = g.inputsOf(id);
    if (!inputs) {
        r.problems.push_back(
            fmt::format("the ComfyUI sampler node {} has no inputs object; nothing restored", shown(id)));
        return;
    }
    const auto& in = *inputs;
    auto value = [&](const char* name, const std::vector<std::string>& upstream,
                     const char* what) -> std::optional<nlohmann::json> {
        auto it = in.find(name);
        if (it == in.end()) return std::nullopt;
        return g.find(*it, upstream, what);
    };
    for (const char* seedKey : {"seed", "noise_seed"})
        if (auto v = value(seedKey, {"seed", "noise_seed", "value", "int"}, "seed"))
            setSeed(r, *v, "ComfyUI seed");
    if (auto v = value("steps", {"steps", "value", "int"}, "steps"))
        setInt(r, "steps", *v, "ComfyUI steps", 1, 1000);
    if (auto v = value("cfg", {"cfg", "value", "float"}, "cfg")) setReal(r, "guidance", *v, "ComfyUI cfg");
    if (auto v = value("positive", {"text", "text_g", "string", "value"}, "positive prompt")) {
        if (v->is_string())
            setText(r, "prompt", v->get<std::string>(), "the ComfyUI positive prompt");
        else
            r.problems.push_back("the ComfyUI positive prompt is not text; not restored");
    }
    if (auto v = value("negative", {"text", "text_g", "string", "value"}, "negative prompt")) {
        if (v->is_string())
            setText(r, "negative_prompt", v->get<std::string>(), "the ComfyUI negative prompt");
        else
            r.problems.push_back("the ComfyUI negative prompt is not text; not restored");
    }
    if (auto it = in.find("latent_image"); it != in.end() && isLink(*it)) {
        if (auto w = g.find(*it, {"width"}, "width")) setInt(r, "width", *w, "ComfyUI width", 1, kMaxSide);
        if (auto h = g.find(*it, {"height"}, "height"))
            setInt(r, "height", *h, "ComfyUI height", 1, kMaxSide);
    }
    for (const char* name : {"sampler_name", "scheduler", "denoise", "model", "add_noise", "start_at_step",
                             "end_at_step", "return_with_leftover_noise"}) {
        auto it = in.find(name);
        if (it == in.end()) continue;
        if (std::string(name) == "sampler_name") {
            setSampler(r, *it, "ComfyUI sampler_name");
            continue;
        }
        if (isLink(*it)) continue;
        if (std::string(name) == "denoise" && realNumber(*it) == 1.0) continue;
        r.unmapped.push_back(fmt::format("ComfyUI {}: {}", name, shownJson(*it)));
    }
    for (const auto& [nid, node] : graph.items())
        if (node.is_object() && node.value("class_type", nlohmann::json()) == "CheckpointLoaderSimple" &&
            node.contains("inputs") && node["inputs"].is_object() && node["inputs"].contains("ckpt_name"))
            r.unmapped.push_back(
                fmt::format("ComfyUI ckpt_name: {}", shownJson(node["inputs"]["ckpt_name"])));
}

// The UI graph: nodes with widgets_values, links as [id, from node, from slot, to node, to slot, type].
void readComfyWorkflow(const nlohmann::json& wf, SettingsReadback& r) {
    const auto nodesIt = wf.find("nodes");
    const auto linksIt = wf.find("links");
    if (nodesIt == wf.end() || !nodesIt->is_array()) {
        r.problems.push_back("the ComfyUI workflow has no node list; nothing restored");
        return;
    }
    std::map<int64_t, const nlohmann::json*> nodes;
    for (const auto& n : *nodesIt)
        if (n.is_object() && n.contains("id"))
            if (auto id = wholeNumber(n["id"])) nodes[*id] = &n;
    std::map<int64_t, int64_t> linkOrigin; // link id -> origin node id
    if (linksIt != wf.end() && linksIt->is_array())
        for (const auto& l : *linksIt)
            if (l.is_array() && l.size() >= 2)
                if (auto lid = wholeNumber(l[0]), from = wholeNumber(l[1]); lid && from)
                    linkOrigin[*lid] = *from;
    auto type = [](const nlohmann::json& n) {
        return n.contains("type") && n["type"].is_string() ? n["type"].get<std::string>() : std::string();
    };
    auto widgets = [](const nlohmann::json& n) -> const nlohmann::json* {
        auto it = n.find("widgets_values");
        return it != n.end() && it->is_array() ? &*it : nullptr;
    };
    // The node feeding input `name` of `n`, through Reroute nodes (bounded, loop-safe).
    auto upstream = [&](const nlohmann::json& n, const char* name) -> const nlohmann::json* {
        const nlohmann::json* cur = &n;
        const char* want = name;
        std::set<int64_t> visited;
        for (int hop = 0; hop < kMaxGraphHops; ++hop) {
            auto ins = cur->find("inputs");
            if (ins == cur->end() || !ins->is_array()) return nullptr;
            std::optional<int64_t> link;
            for (const auto& i : *ins)
                if (i.is_object() && (want == nullptr || i.value("name", nlohmann::json()) == want) &&
                    i.contains("link"))
                    if ((link = wholeNumber(i["link"]))) break;
            if (!link || !linkOrigin.count(*link)) return nullptr;
            const int64_t from = linkOrigin[*link];
            if (!visited.insert(from).second || !nodes.count(from)) {
                r.problems.push_back("the ComfyUI workflow loops or points at a missing node; not restored");
                return nullptr;
            }
            cur = nodes[from];
            if (type(*cur) != "Reroute") return cur;
            want = nullptr;
        }
        return nullptr;
    };
    const nlohmann::json* sampler = nullptr;
    int samplerCount = 0;
    for (const auto& [id, n] : nodes)
        if (type(*n) == "KSampler" || type(*n) == "KSamplerAdvanced") {
            if (!sampler) sampler = n;
            ++samplerCount;
        }
    if (!sampler) {
        r.problems.push_back(
            "the ComfyUI workflow has no KSampler or KSamplerAdvanced node; nothing restored");
        return;
    }
    if (samplerCount > 1)
        r.problems.push_back(fmt::format(
            "the ComfyUI workflow has {} sampler nodes; settings read from the first", samplerCount));
    const auto* w = widgets(*sampler);
    const bool advanced = type(*sampler) == "KSamplerAdvanced";
    // KSampler: seed, control_after_generate, steps, cfg, sampler_name, scheduler, denoise.
    // KSamplerAdvanced: add_noise, noise_seed, control_after_generate, steps, cfg, sampler_name, scheduler,
    // ...
    const std::size_t o = advanced ? 1 : 0;
    if (w && w->size() >= o + 6) {
        setSeed(r, (*w)[o], "ComfyUI seed");
        setInt(r, "steps", (*w)[o + 2], "ComfyUI steps", 1, 1000);
        setReal(r, "guidance", (*w)[o + 3], "ComfyUI cfg");
        setSampler(r, (*w)[o + 4], "ComfyUI sampler_name");
        r.unmapped.push_back(fmt::format("ComfyUI scheduler: {}", shownJson((*w)[o + 5])));
    } else {
        r.problems.push_back("the ComfyUI workflow's sampler node has too few widget values; not restored");
    }
    for (const auto& [name, key] :
         {std::pair{"positive", "prompt"}, std::pair{"negative", "negative_prompt"}})
        if (const auto* n = upstream(*sampler, name)) {
            const auto* tw = widgets(*n);
            if (tw && !tw->empty() && (*tw)[0].is_string())
                setText(r, key, (*tw)[0].get<std::string>(), fmt::format("the ComfyUI {} prompt", name));
            else
                r.problems.push_back(fmt::format("the ComfyUI {} prompt comes from a {} node whose text this "
                                                 "reader does not know; not restored",
                                                 name, shown(type(*n))));
        }
    if (const auto* n = upstream(*sampler, "latent_image")) {
        const auto* lw = widgets(*n);
        if (type(*n) == "EmptyLatentImage" && lw && lw->size() >= 2) {
            setInt(r, "width", (*lw)[0], "ComfyUI width", 1, kMaxSide);
            setInt(r, "height", (*lw)[1], "ComfyUI height", 1, kMaxSide);
        } else {
            r.unmapped.push_back(
                fmt::format("ComfyUI latent_image from a {} node (size not read)", shown(type(*n))));
        }
    }
}

} // namespace

const std::set<std::string>& luminaSettingsKeys() {
    static const std::set<std::string> keys{"model_family",
                                            "system_prompt",
                                            "cfg_normalization",
                                            "cfg_trunc_ratio",
                                            "loras",
                                            "prompt",
                                            "negative_prompt",
                                            "preset",
                                            "width",
                                            "height",
                                            "sampler",
                                            "schedule",
                                            "steps",
                                            "guidance",
                                            "time_shift",
                                            "shift_from_scheduler",
                                            "rope_scaling",
                                            "watershed",
                                            "scale_below_native",
                                            "proportional_attention",
                                            "context_drop",
                                            "cfg_channels",
                                            "sigmoid_kappa",
                                            "device",
                                            "dtype",
                                            "diffusers_preprocess",
                                            "full_preview_every",
                                            "vae_tiling",
                                            "vae_tile",
                                            "seed",
                                            "init_image",
                                            "strength",
                                            "init_resize",
                                            "init_gallery_item"};
    return keys;
}

SettingsReadback parseLuminaSettings(std::string_view json) {
    SettingsReadback r;
    auto j = parseJson(json, "the lumina:settings JSON", r);
    if (!j) return r;
    if (!j->is_object()) {
        r.problems.push_back("the lumina:settings JSON is not an object; not read");
        return r;
    }
    r.source = "lumina";
    for (const auto& [k, v] : j->items()) {
        if (luminaSettingsKeys().count(k))
            r.settings[k] = v;
        else if (k != "result")
            r.unmapped.push_back(fmt::format("{}: {}", shown(k), shownJson(v)));
    }
    return r;
}

SettingsReadback parseA1111Parameters(std::string_view text) {
    SettingsReadback r;
    if (text.size() > kMaxMetadataText) {
        r.problems.push_back(fmt::format("the parameters text is {} bytes, more than the {} MiB this reader "
                                         "accepts; not read",
                                         text.size(), kMaxMetadataText >> 20));
        return r;
    }
    std::vector<std::string_view> lines;
    std::string_view rest = trim(text);
    while (true) {
        const auto nl = rest.find('\n');
        lines.push_back(rest.substr(0, nl));
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    std::string_view last = lines.back();
    auto pairs = a1111Pairs(last);
    if (pairs.size() < 3)
        pairs.clear();
    else
        lines.pop_back();
    std::string prompt, negative;
    bool inNegative = false;
    for (auto line : lines) {
        line = trim(line);
        if (line.starts_with("Negative prompt:")) {
            inNegative = true;
            line = trim(line.substr(16));
        }
        std::string& target = inNegative ? negative : prompt;
        if (!target.empty()) target += "\n";
        target += std::string(line);
    }
    if (pairs.empty() && prompt.empty() && negative.empty()) return r;
    r.source = "a1111";
    setText(r, "prompt", prompt, "the A1111 prompt");
    setText(r, "negative_prompt", negative, "the A1111 negative prompt");
    for (auto& [key, raw] : pairs) {
        nlohmann::json value = raw;
        if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
            auto unquoted = nlohmann::json::parse(raw, nullptr, false);
            if (unquoted.is_string()) value = unquoted;
        }
        if (!value.is_string() || !isValidUtf8(value.get_ref<const std::string&>())) {
            r.problems.push_back(
                fmt::format("the A1111 value of '{}' is not valid UTF-8; not read", shown(key)));
            continue;
        }
        const std::string from = "A1111 " + key;
        if (key == "Steps")
            setInt(r, "steps", value, from, 1, 1000);
        else if (key == "CFG scale")
            setReal(r, "guidance", value, from);
        else if (key == "Seed")
            setSeed(r, value, from);
        else if (key == "Sampler")
            setSampler(r, value, from);
        else if (key == "Size") {
            const auto s = value.get<std::string>();
            const auto x = s.find('x');
            if (x == std::string::npos) {
                r.problems.push_back(
                    fmt::format("A1111 Size '{}' is not WIDTHxHEIGHT; not restored", shown(s)));
                continue;
            }
            setInt(r, "width", s.substr(0, x), "A1111 Size width", 1, kMaxSide);
            setInt(r, "height", s.substr(x + 1), "A1111 Size height", 1, kMaxSide);
        } else {
            r.unmapped.push_back(fmt::format("{}: {}", shown(key), shownJson(value)));
        }
    }
    return r;
}

SettingsReadback parseComfyUI(std::string_view promptJson, std::string_view workflowJson) {
    SettingsReadback r;
    if (!promptJson.empty()) {
        if (auto j = parseJson(promptJson, "the ComfyUI prompt JSON", r)) {
            if (j->is_object()) {
                r.source = "comfyui";
                readComfyApi(*j, r);
                return r;
            }
            r.problems.push_back("the ComfyUI prompt JSON is not an object of nodes; not read");
        }
    }
    if (!workflowJson.empty()) {
        if (auto j = parseJson(workflowJson, "the ComfyUI workflow JSON", r)) {
            if (j->is_object()) {
                r.source = "comfyui";
                readComfyWorkflow(*j, r);
                return r;
            }
            r.problems.push_back("the ComfyUI workflow JSON is not an object; not read");
        }
    }
    return r;
}

SettingsReadback parseSwarmUI(std::string_view json) {
    SettingsReadback r;
    auto j = parseJson(json, "the SwarmUI metadata", r);
    if (!j) return r;
    if (!j->is_object() || !j->contains("sui_image_params") || !(*j)["sui_image_params"].is_object()) {
        r.problems.push_back("the SwarmUI metadata has no sui_image_params object; not read");
        return r;
    }
    r.source = "swarmui";
    for (const auto& [k, v] : (*j)["sui_image_params"].items()) {
        const std::string from = "SwarmUI " + k;
        if (k == "prompt" || k == "negativeprompt") {
            if (v.is_string())
                setText(r, k == "prompt" ? "prompt" : "negative_prompt", v.get<std::string>(), from);
            else
                r.problems.push_back(fmt::format("{} is not text; not restored", from));
        } else if (k == "seed")
            setSeed(r, v, from);
        else if (k == "steps")
            setInt(r, "steps", v, from, 1, 1000);
        else if (k == "cfgscale")
            setReal(r, "guidance", v, from);
        else if (k == "width")
            setInt(r, "width", v, from, 1, kMaxSide);
        else if (k == "height")
            setInt(r, "height", v, from, 1, kMaxSide);
        else if (k == "sampler")
            setSampler(r, v, from);
        else
            r.unmapped.push_back(fmt::format("{}: {}", from, shownJson(v)));
    }
    for (const char* extra : {"sui_extra_data", "sui_models"})
        if (j->contains(extra))
            r.unmapped.push_back(fmt::format("SwarmUI {}: {}", extra, shownJson((*j)[extra])));
    return r;
}

SettingsReadback readbackFromTexts(const std::vector<PngText>& fields) {
    auto get = [&](std::string_view key) -> std::optional<std::string_view> {
        for (const auto& f : fields)
            if (f.keyword == key) return f.text;
        return std::nullopt;
    };
    std::vector<std::string> earlier;
    auto keepProblems = [&](SettingsReadback r) {
        r.problems.insert(r.problems.begin(), earlier.begin(), earlier.end());
        return r;
    };
    auto tryParse = [&](SettingsReadback r) -> std::optional<SettingsReadback> {
        if (r.recognized()) return keepProblems(std::move(r));
        earlier.insert(earlier.end(), r.problems.begin(), r.problems.end());
        return std::nullopt;
    };
    if (auto ours = get(kSettingsKey))
        if (auto r = tryParse(parseLuminaSettings(*ours))) return *r;
    // Our JSON also travels (ASCII-escaped) in ImageDescription for formats without a text key.
    if (auto desc = get("ImageDescription"); desc && desc->starts_with("{")) {
        SettingsReadback probe = parseLuminaSettings(*desc);
        if (probe.recognized()) return keepProblems(std::move(probe));
    }
    const auto parameters = get(kParametersKey);
    if (parameters && trim(*parameters).starts_with("{") &&
        parameters->find("sui_image_params") != std::string_view::npos)
        if (auto r = tryParse(parseSwarmUI(*parameters))) return *r;
    const auto prompt = get("prompt"), workflow = get("workflow");
    if (prompt || workflow)
        if (auto r = tryParse(parseComfyUI(prompt.value_or(""), workflow.value_or("")))) return *r;
    for (const char* key : {kParametersKey, "Exif:UserComment", "UserComment"})
        if (auto text = get(key))
            if (auto r = tryParse(parseA1111Parameters(*text))) return *r;
    SettingsReadback none;
    none.problems = earlier;
    return none;
}

} // namespace lumina::image
