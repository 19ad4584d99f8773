#include "dhtpush/node/command_line.h"

#include <algorithm>
#include <sstream>

namespace dhtpush::node::command_line {
namespace {

constexpr std::size_t OPTION_COLUMN = 32;
constexpr std::size_t LINE_WIDTH = 100;

// Words wrapped at `width`, `tail` kept whole on the last line; CLI11 indents each line after
// a newline to the text's column.
std::string wrapped(const std::string& text, const std::string& tail, std::size_t width = LINE_WIDTH - OPTION_COLUMN) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    if (!tail.empty()) words.push_back(tail);
    std::string out;
    std::size_t line = 0;
    for (const auto& word : words) {
        if (line > 0 && line + 1 + word.size() > width) {
            out += '\n';
            line = 0;
        } else if (line > 0) {
            out += ' ';
            ++line;
        }
        out += word;
        line += word.size();
    }
    return out;
}

class ConfigKeyFormatter : public CLI::Formatter {
public:
    ConfigKeyFormatter(std::set<std::string> withoutKey, std::map<std::string, std::string> keyOf, bool showKeys)
        : withoutKey_(std::move(withoutKey)), keyOf_(std::move(keyOf)), showKeys_(showKeys) {
        column_width(OPTION_COLUMN);
    }
    std::string make_option_desc(const CLI::Option* option) const override {
        const auto name = option->get_single_name();
        if (!showKeys_ || withoutKey_.count(name)) return wrapped(option->get_description(), "");
        const auto renamed = keyOf_.find(name);
        const auto key = renamed == keyOf_.end() ? configKey(*option) : renamed->second;
        return wrapped(option->get_description(), "[config: " + key + "]");
    }
    // A command's description, as its expanded help shows it (indented by 2).
    std::string make_description(const CLI::App* app) const override {
        const auto text = app->get_description();
        return text.empty() ? std::string() : wrapped(text, "", LINE_WIDTH - 4) + "\n";
    }

private:
    std::set<std::string> withoutKey_;
    std::map<std::string, std::string> keyOf_;
    bool showKeys_;
};

}  // namespace

std::string configKey(const CLI::Option& option) {
    std::string key = option.get_single_name();
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

std::shared_ptr<CLI::Formatter> helpWithConfigKeys(std::set<std::string> withoutKey,
                                                   std::map<std::string, std::string> keyOf) {
    return std::make_shared<ConfigKeyFormatter>(std::move(withoutKey), std::move(keyOf), true);
}

std::shared_ptr<CLI::Formatter> plainHelp() { return std::make_shared<ConfigKeyFormatter>(std::set<std::string>{}, std::map<std::string, std::string>{}, false); }

Status parse(CLI::App& app, std::vector<std::string> args) {
    // CLI11 takes its arguments last first.
    std::reverse(args.begin(), args.end());
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        return makeError(Errc::Invalid, std::string(e.what()) + " (see --help)");
    }
    return success();
}

CLI::Validator within(double min, double max) {
    return CLI::Validator(
        [min, max](std::string& text) -> std::string {
            double value = 0;
            std::istringstream in(text);
            if (!(in >> value) || !in.eof() || value < min || value > max) {
                std::ostringstream out;
                out << "value " << text << " is not between " << min << " and " << max;
                return out.str();
            }
            return {};
        },
        "");
}

CLI::Validator wholeNumber() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            // CLI11 reads "-5" into an unsigned as 2^64 - 5, and "" as 0.
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
                return "'" + text + "' is not a whole number";
            return {};
        },
        "");
}

}  // namespace dhtpush::node::command_line
