#include "ui/mailbox.h"

#include <QMetaObject>

namespace lumina::ui {

void Mailbox::post(std::function<void()> task) {
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
        wake = !m_wakePending;
        m_wakePending = true;
    }
    // By name: the queued call is built inside Qt and carries no data of ours.
    if (wake) QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
}

void Mailbox::synchronize() {
    std::lock_guard lock(m_mutex);
}

void Mailbox::drain() {
    while (true) {
        std::function<void()> task;
        {
            std::lock_guard lock(m_mutex);
            if (m_tasks.empty()) {
                m_wakePending = false;
                return;
            }
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();
    }
}

} // namespace lumina::ui
