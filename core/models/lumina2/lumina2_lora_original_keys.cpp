#include "core/models/lumina2/lumina2_lora_original_keys.h"

#include "core/util/errors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <regex>
#include <set>

namespace lumina::models {

std::vector<std::pair<std::string, at::Tensor>>
convertOriginalLumina2Lora(std::vector<std::pair<std::string, at::Tensor>> tensors,
                           const std::array<int64_t, 3>& qkvRows, const std::string& source) {
    std::map<std::string, at::Tensor> left(std::make_move_iterator(tensors.begin()),
                                           std::make_move_iterator(tensors.end()));
    // get_num_layers: the number of distinct indices after `group.` anywhere in a key (re.search).
    const auto countOf = [&](const std::string& group) {
        const std::regex re(group + R"(\.(\d+)\.)");
        std::set<int64_t> indices;
        for (const auto& [key, _] : left) {
            std::smatch m;
            if (std::regex_search(key, m, re)) indices.insert(std::stoll(m[1].str()));
        }
        return static_cast<int64_t>(indices.size());
    };
    const auto take = [&](const std::string& key) {
        auto it = left.find(key);
        if (it == left.end())
            throw ModelLoadError(fmt::format("{}: diffusion_model.{} is missing; the original-layout Lumina "
                                             "2 LoRA converter needs, for every "
                                             "block it finds, lora_A and lora_B of attention.qkv, "
                                             "attention.out, feed_forward.w1/w2/w3 and "
                                             "(except in context_refiner) adaLN_modulation.1",
                                             source, key));
        auto t = it->second;
        left.erase(it);
        return t;
    };

    std::vector<std::pair<std::string, at::Tensor>> out;
    const auto add = [&](const std::string& key, const at::Tensor& t) {
        out.emplace_back("transformer." + key, t);
    };
    for (const std::string group : {"noise_refiner", "context_refiner", "layers"}) {
        const int64_t blocks = countOf(group);
        for (int64_t i = 0; i < blocks; ++i) {
            const auto p = fmt::format("{}.{}", group, i);
            const auto down = take(p + ".attention.qkv.lora_A.weight");
            const auto up = take(p + ".attention.qkv.lora_B.weight");
            for (const char* name : {"to_q", "to_k", "to_v"})
                add(fmt::format("{}.attn.{}.lora_A.weight", p, name), down);
            if (up.dim() < 1 || up.size(0) != qkvRows[0] + qkvRows[1] + qkvRows[2])
                throw ModelLoadError(fmt::format("{}: diffusion_model.{}.attention.qkv.lora_B.weight has "
                                                 "shape [{}]; the model's fused q, k, v "
                                                 "rows are {} (its rows are split into to_q, to_k, to_v)",
                                                 source, p, fmt::join(up.sizes(), ", "),
                                                 fmt::join(qkvRows, " + ")));
            int64_t row = 0;
            const char* names[] = {"to_q", "to_k", "to_v"};
            for (std::size_t j = 0; j < 3; ++j) {
                add(fmt::format("{}.attn.{}.lora_B.weight", p, names[j]), up.narrow(0, row, qkvRows[j]));
                row += qkvRows[j];
            }
            for (const char* ab : {"lora_A", "lora_B"})
                add(fmt::format("{}.attn.to_out.0.{}.weight", p, ab),
                    take(fmt::format("{}.attention.out.{}.weight", p, ab)));
            for (int w = 1; w <= 3; ++w)
                for (const char* ab : {"lora_A", "lora_B"})
                    add(fmt::format("{}.feed_forward.linear_{}.{}.weight", p, w, ab),
                        take(fmt::format("{}.feed_forward.w{}.{}.weight", p, w, ab)));
            if (group != "context_refiner")
                for (const char* ab : {"lora_A", "lora_B"})
                    add(fmt::format("{}.norm1.linear.{}.weight", p, ab),
                        take(fmt::format("{}.adaLN_modulation.1.{}.weight", p, ab)));
        }
    }
    if (!left.empty()) {
        std::vector<std::string> keys;
        for (const auto& [key, _] : left)
            if (keys.size() < 10) keys.push_back("diffusion_model." + key);
        throw ModelLoadError(fmt::format(
            "{}: {} tensor(s) that the original-layout Lumina 2 LoRA converter does not take: {}{}. It reads "
            "only "
            "lora_A/lora_B pairs of the blocks' attention.qkv, attention.out, feed_forward.w1-w3 and "
            "adaLN_modulation.1 (no lora_down/lora_up names, no .alpha values); is it a LoRA for another "
            "model?",
            source, left.size(), fmt::join(keys, ", "), left.size() > keys.size() ? ", ..." : ""));
    }
    return out;
}

} // namespace lumina::models
