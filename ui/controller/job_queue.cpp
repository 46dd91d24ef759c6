#include "controller/job_queue.h"

#include "cgpgan/error.h"

#include <algorithm>

namespace cgpgan::ui {

JobQueue::JobQueue(std::function<void(const std::string&)> uncaught)
    : m_uncaught(std::move(uncaught)), m_thread([this] { run(); })
{
}

JobQueue::~JobQueue()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_jobs.clear();
        m_quit = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void JobQueue::post(std::function<void()> job, const std::string& tag)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_quit)
            return;
        // A queued job of the same tag is dropped and the new one goes to the
        // back: it must still run after everything posted before it (a
        // codebook read after a page write, say).
        if (!tag.empty())
            m_jobs.erase(std::remove_if(m_jobs.begin(), m_jobs.end(), [&](const Job& j) { return j.tag == tag; }),
                         m_jobs.end());
        m_jobs.push_back({tag, std::move(job)});
    }
    m_wake.notify_one();
}

void JobQueue::run()
{
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] { return m_quit || !m_jobs.empty(); });
            if (m_jobs.empty())
                return; // quit once the queue is drained
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        try {
            job.fn();
        } catch (const std::exception& e) {
            if (m_uncaught)
                m_uncaught(userMessage(e));
        } catch (...) {
            if (m_uncaught)
                m_uncaught("an unknown error");
        }
    }
}

} // namespace cgpgan::ui
