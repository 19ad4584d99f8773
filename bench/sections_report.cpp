#include "sections_report.h"

#include "format.h"

namespace dhtpush::bench {

void sectionsTable(std::ostream& md, const Json::Value& sections) {
    if (!sections.isArray() || sections.empty()) return;
    double total = 0, soak = 0;
    for (const auto& s : sections) {
        total += s["seconds"].asDouble();
        if (s["section"].asString().rfind("soak", 0) == 0) soak += s["seconds"].asDouble();
    }
    md << "## How long each section took\n\n"
       << "Wall-clock time of each section of this run (`scripts/bench`, sections.jsonl), building excluded.\n\n"
       << "| section | minutes |\n| --- | --- |\n";
    for (const auto& s : sections)
        md << "| " << s["section"].asString() << " | " << fixed(s["seconds"].asDouble() / 60, 1) << " |\n";
    md << "| **all sections** | **" << fixed(total / 60, 1) << "** |\n"
       << "| all but the soak | " << fixed((total - soak) / 60, 1) << " |\n\n";
}

}  // namespace dhtpush::bench
