#include "own_process.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace dhtpush::bench {
namespace {

std::set<pid_t> processThreads() {
    std::set<pid_t> threads;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", error))
        threads.insert(static_cast<pid_t>(std::stol(entry.path().filename().string())));
    return threads;
}

}  // namespace

ThreadMark::ThreadMark() : before_(processThreads()) {}

std::set<pid_t> ThreadMark::startedSince() const {
    std::set<pid_t> started;
    for (const auto tid : processThreads())
        if (before_.count(tid) == 0) started.insert(tid);
    return started;
}

std::size_t lowestPriority(const std::set<pid_t>& threads) {
    std::size_t changed = 0;
    // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
    for (const auto tid : threads)
        if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 19) == 0) ++changed;
    return changed;
}

void lowestPriorityForThisThread() { lowestPriority({static_cast<pid_t>(::gettid())}); }

std::size_t openDescriptors() {
    std::error_code error;
    std::size_t count = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error); !error && it != std::filesystem::directory_iterator();
         it.increment(error))
        ++count;
    return count;
}

}  // namespace dhtpush::bench
