#pragma once
// TrainingController's shared state (controller.cpp, controller_jobs.cpp):
// private to the controller library.
#include "controller/controller.h"
#include "controller/job_queue.h"

#include "cgpgan/diversity.h"
#include "cgpgan/runner.h"
#include "cgpgan/trainer.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace cgpgan::ui {

// The two threads and what they share. Everything here except `trainer`
// (assigned on the UI thread only) is touched from several threads and is
// guarded or atomic.
struct TrainingController::Impl {
    std::shared_ptr<Trainer> trainer;

    // Training thread.
    std::unique_ptr<TrainingControl> control;
    std::thread trainingThread;
    int runId = 0;            // which run the thread belongs to (UI thread only)
    bool runReported = true;  // finishRun() done for runId (UI thread only)
    std::mutex endMutex;      // how the thread's run ended
    RunEnd end = RunEnd::Stopped;
    QString endError;

    // Coalesced step statistics (training thread -> UI thread).
    std::mutex statsMutex;
    QVector<StepStats> pendingStats;
    std::atomic<bool> statsPosted{false};

    // Test seam (setFaultInjection): runs first in every job, inside the
    // boundary. Read by both job threads: under its mutex.
    std::mutex faultMutex;
    std::function<void(TrainingController::Job)> faultInjection;

    std::atomic<bool> cancelClusters{false};
    std::atomic<bool> cancelMap{false};
    std::atomic<bool> cancelAnimation{false};
    std::atomic<quint64> nextRequestId{0};

    // Service thread only: the real images' pairwise distance, the z-diversity
    // reference, for the dataset it was computed on.
    // Held, so a new dataset at the same address cannot be mistaken for it.
    std::shared_ptr<const Dataset> referenceData;
    double referenceDistance = 0;
    double realDistance(const std::shared_ptr<const Dataset>& data)
    {
        if (referenceData != data) {
            referenceDistance = realPairwiseDistance(*data);
            referenceData = data;
        }
        return referenceDistance;
    }

    // Service thread only: Q's penultimate features of every real image, for
    // "nearest real images" (issue 27), at the model step they were taken at.
    std::shared_ptr<const Dataset> featureData;
    int64_t featureStep = -1;
    torch::Tensor realFeatures; // [n, hidden], CPU float

    // The long passes' thread (issue 27: stale views): cluster assignment,
    // the map and animations run here, so that the service thread keeps
    // answering the grid, the codebook and saves meanwhile. Both threads
    // take the model's lock per chunk, between training steps.
    std::unique_ptr<JobQueue> longQueue;
    // Service thread; last, so that it is destroyed (joined) first.
    std::unique_ptr<JobQueue> queue;
};

} // namespace cgpgan::ui
