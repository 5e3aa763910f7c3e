#pragma once
// Answers the modal dialogs a test's action opens, as a user would, from a timer that runs
// inside the dialog's own event loop: each new modal widget gets the next answer in turn
// (click a QMessageBox button, type a path into a QFileDialog). asked() counts the dialogs
// seen, so a test can also prove that nothing asked.
#include <QAbstractButton>
#include <QApplication>
#include <QFileDialog>
#include <QMessageBox>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <vector>

namespace lora::test {

using Answer = std::function<void(QWidget*)>;

inline Answer clickButton(QMessageBox::StandardButton button) {
    return [button](QWidget* w) {
        if (auto* box = qobject_cast<QMessageBox*>(w)) box->button(button)->click();
    };
}

inline Answer chooseFile(const QString& path) {
    return [path](QWidget* w) {
        if (auto* dialog = qobject_cast<QFileDialog*>(w)) {
            dialog->selectFile(path);
            QMetaObject::invokeMethod(dialog, "accept"); // protected in QFileDialog
        }
    };
}

class ModalAnswerer : public QObject {
public:
    explicit ModalAnswerer(std::vector<Answer> answers) : m_answers(std::move(answers)) {
        connect(&m_timer, &QTimer::timeout, this, [this] {
            QWidget* modal = QApplication::activeModalWidget();
            if (!modal || modal == m_last) return;
            m_last = modal;
            m_titles << modal->metaObject()->className();
            if (m_next < m_answers.size()) m_answers[m_next++](modal);
        });
        m_timer.start(10);
    }
    int asked() const { return static_cast<int>(m_titles.size()); }
    QStringList seen() const { return m_titles; } // class names of the dialogs, in order

private:
    std::vector<Answer> m_answers;
    std::size_t m_next = 0;
    QPointer<QWidget> m_last;
    QStringList m_titles;
    QTimer m_timer;
};

} // namespace lora::test
