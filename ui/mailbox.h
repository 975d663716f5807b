#pragma once
// A task queue owned by one thread, the only way the studio hands work and results between threads.
// post() may be called from any thread: the task goes into a std::mutex-protected FIFO and the owner's event
// loop is woken by a queued call that carries nothing. The owner runs the tasks in order in drain().
// Why not queued signals with arguments: Qt copies the arguments inside its own (uninstrumented) library, so
// ThreadSanitizer cannot see that hand-off; through this mutex it sees every one, and the bridge's tests run
// under it without suppressing anything of ours.
#include <QObject>
#include <deque>
#include <functional>
#include <mutex>

namespace lumina::ui {

class Mailbox : public QObject {
    Q_OBJECT
public:
    explicit Mailbox(QObject* parent = nullptr)
        : QObject(parent) {}
    // Any thread. The task runs on the thread this object lives in, after every task posted before it.
    void post(std::function<void()> task);
    // Orders the caller after everything the owner thread did in tasks that have finished (a lock of the
    // same mutex). Used after joining the owner thread, whose end Qt's QThread::wait() does not show the
    // sanitizer.
    void synchronize();

private slots:
    void drain();

private:
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_tasks;
    bool m_wakePending = false;
};

} // namespace lumina::ui
