#include "codebook/page_commands.h"

#include <QCoreApplication>

#include <random>
#include <stdexcept>

namespace cgpgan::ui {

QString pageName(PageRef page)
{
    return QCoreApplication::translate("PageCommands", "page (%1, %2)").arg(page.label).arg(page.category);
}

std::vector<float> pageValues(const CodebookSnapshot& book, PageRef page)
{
    if (page.label < 0 || page.label >= book.dL || page.category < 0 || page.category >= book.dC ||
        book.values.size() != size_t(book.dL) * book.dC * book.pageSize)
        throw std::out_of_range("codebook page out of range");
    const float* p = book.page(page.label, page.category);
    return std::vector<float>(p, p + book.pageSize);
}

std::vector<float> randomPage(int size, uint64_t seed)
{
    std::mt19937_64 engine(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> page(size_t(std::max(0, size)));
    for (float& v : page)
        v = normal(engine);
    return page;
}

std::vector<float> interpolatePages(const std::vector<float>& a, const std::vector<float>& b, float t)
{
    const double wa = 1.0 - double(t), wb = double(t); // both exact in double
    std::vector<float> out(a.size());
    for (size_t i = 0; i < a.size(); ++i)
        out[i] = float(wa * double(a[i]) + wb * double(b[i]));
    return out;
}

std::vector<float> scalePage(const std::vector<float>& page, float s)
{
    std::vector<float> out(page.size());
    for (size_t i = 0; i < page.size(); ++i)
        out[i] = float(double(page[i]) * double(s));
    return out;
}

PageEditCommand::PageEditCommand(TrainingController* controller, CodebookSnapshot* book, const QString& text)
    : QUndoCommand(text), m_controller(controller), m_book(book)
{
}

void PageEditCommand::addWrite(PageRef page, std::vector<float> values)
{
    m_before.push_back({page.label, page.category, pageValues(*m_book, page)});
    m_after.push_back({page.label, page.category, std::move(values)});
}

void PageEditCommand::redo() { apply(m_after, text()); }

void PageEditCommand::undo()
{
    // Reverse order, so that a page written twice ends at its first `before`.
    apply(std::vector<PageWrite>(m_before.rbegin(), m_before.rend()),
          QCoreApplication::translate("PageCommands", "Undo: %1").arg(text()));
}

void PageEditCommand::apply(const std::vector<PageWrite>& writes, const QString& description)
{
    // Keep the caller's copy in step, then send the same values to the model.
    const size_t expected = size_t(m_book->dL) * m_book->dC * m_book->pageSize;
    if (m_book->values.size() == expected)
        for (const PageWrite& w : writes)
            if (w.label < m_book->dL && w.category < m_book->dC && int(w.values.size()) == m_book->pageSize)
                std::copy(w.values.begin(), w.values.end(),
                          m_book->values.begin() + (ptrdiff_t(w.label) * m_book->dC + w.category) * m_book->pageSize);
    m_controller->writePages(writes, description);
}

CopyPageCommand::CopyPageCommand(TrainingController* controller, CodebookSnapshot* book, PageRef source,
                                 PageRef target)
    : PageEditCommand(controller, book,
                      QCoreApplication::translate("PageCommands", "Copy %1 to %2").arg(pageName(source), pageName(target)))
{
    addWrite(target, pageValues(*book, source));
}

SwapPagesCommand::SwapPagesCommand(TrainingController* controller, CodebookSnapshot* book, PageRef a, PageRef b)
    : PageEditCommand(controller, book,
                      QCoreApplication::translate("PageCommands", "Swap %1 and %2").arg(pageName(a), pageName(b)))
{
    // Both before-values are read from the unchanged book (addWrite does not write).
    addWrite(a, pageValues(*book, b));
    addWrite(b, pageValues(*book, a));
}

ResetPageCommand::ResetPageCommand(TrainingController* controller, CodebookSnapshot* book, PageRef page,
                                   uint64_t seed)
    : PageEditCommand(controller, book,
                      QCoreApplication::translate("PageCommands", "Reset %1 to random (seed %2)")
                          .arg(pageName(page))
                          .arg(seed))
{
    addWrite(page, randomPage(book->pageSize, seed));
}

InterpolatePagesCommand::InterpolatePagesCommand(TrainingController* controller, CodebookSnapshot* book, PageRef a,
                                                 PageRef b, float t, PageRef target)
    : PageEditCommand(controller, book,
                      QCoreApplication::translate("PageCommands", "Interpolate: %1 = %2 x %3 + %4 x %5")
                          .arg(pageName(target))
                          .arg(1.0 - double(t), 0, 'g', 3)
                          .arg(pageName(a))
                          .arg(double(t), 0, 'g', 3)
                          .arg(pageName(b)))
{
    addWrite(target, interpolatePages(pageValues(*book, a), pageValues(*book, b), t));
}

ScalePageCommand::ScalePageCommand(TrainingController* controller, CodebookSnapshot* book, PageRef page, float s)
    : PageEditCommand(controller, book,
                      QCoreApplication::translate("PageCommands", "Scale %1 by %2")
                          .arg(pageName(page))
                          .arg(double(s), 0, 'g', 3))
{
    addWrite(page, scalePage(pageValues(*book, page), s));
}

SteerCommand::SteerCommand(TrainingController* controller, const SteerAction& action)
    : m_controller(controller), m_action(action)
{
    setText(QString::fromStdString(describeSteer(action)));
}

void SteerCommand::redo()
{
    *m_refused = false;
    const quint64 id = m_controller->steer(m_action);
    // The flag outlives the command if need be; the connection ends with its answer.
    auto refused = m_refused;
    auto connection = std::make_shared<QMetaObject::Connection>();
    const auto done = [connection] { QObject::disconnect(*connection); };
    *connection = QObject::connect(m_controller, &TrainingController::errorOccurred, m_controller,
                                   [refused, id, done](const QString&, const QString&, quint64 request) {
                                       if (request != id)
                                           return;
                                       *refused = true;
                                       done();
                                   });
    auto landed = std::make_shared<QMetaObject::Connection>();
    *landed = QObject::connect(m_controller, &TrainingController::steered, m_controller,
                               [id, done, landed](const QString&, const std::vector<float>&, const std::vector<float>&,
                                                  quint64 request) {
                                   if (request != id)
                                       return;
                                   done();
                                   QObject::disconnect(*landed);
                               });
}

void SteerCommand::undo()
{
    if (*m_refused) {
        setObsolete(true); // it changed nothing: nothing to take back
        return;
    }
    SteerAction undo;
    undo.action = SteerKind::Undo;
    m_controller->steer(undo);
}

} // namespace cgpgan::ui
