#pragma once
// The controller's service thread (controller.h): jobs run one at a time, in
// the order posted. A job posted with a tag replaces a queued job of the same
// tag and goes to the back (the newest grid refresh wins, order is kept).
//
// The loop is the last line of the controller's error boundary: a job that
// lets anything escape is reported through `uncaught` and the thread goes on,
// so no exception ever ends the explorer through std::terminate. Jobs posted
// by the controller catch their own errors first (TrainingController::postJob).
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace cgpgan::ui {

class JobQueue final {
public:
    // uncaught(message) runs on the service thread for a job that threw.
    explicit JobQueue(std::function<void(const std::string&)> uncaught);
    // Drops the jobs still queued (nobody is left to see their results), lets
    // the running one finish and joins the thread.
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    void post(std::function<void()> job, const std::string& tag = {});

private:
    struct Job {
        std::string tag;
        std::function<void()> fn;
    };
    void run();

    std::function<void(const std::string&)> m_uncaught;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_jobs;
    bool m_quit = false;
    std::thread m_thread; // last: starts once the members above exist
};

} // namespace cgpgan::ui
