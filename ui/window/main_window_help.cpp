// MainWindow's help pages: keyboard shortcuts and Getting started.
#include "window/main_window.h"

#include <QAction>
#include <QKeySequence>
#include <QMessageBox>

namespace cgpgan::ui {

void MainWindow::showHelpPage(const QString& title, const QString& html)
{
    QMessageBox box(QMessageBox::NoIcon, title, QString(), QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.setText(html);
    box.exec();
}

QString MainWindow::shortcutsHtml() const
{
    QString rows;
    for (QAction* a : findChildren<QAction*>()) {
        if (a->shortcut().isEmpty())
            continue;
        rows += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         QString(a->text()).remove('&').remove(QStringLiteral("...")).toHtmlEscaped());
    }
    return tr("<h3>Keyboard shortcuts</h3><table cellspacing='6'>%1</table>"
              "<h3>Sample grid (mouse)</h3><table cellspacing='6'>"
              "<tr><td><b>Wheel</b></td><td>zoom about the cursor</td></tr>"
              "<tr><td><b>Drag</b></td><td>pan when zoomed in</td></tr>"
              "<tr><td><b>Double-click</b></td><td>fit the grid to the view</td></tr>"
              "<tr><td><b>Hover</b></td><td>the tile's z row and combination</td></tr></table>")
        .arg(rows);
}

QString MainWindow::gettingStartedHtml()
{
    return tr("<h3>Getting started</h3>"
              "<p>CGPGAN Explorer trains a GAN whose generator G draws an image from a random vector "
              "<b>z</b> and a categorical code <b>c</b>: d_l <b>labels</b>, each one of d_c "
              "<b>categories</b>. A classifier Q learns to read the code back, so each combination of "
              "categories becomes a <b>cluster</b> of the data.</p>"
              "<p><b>Train</b> (F5) starts, pauses and resumes; the charts on the Live tab show the losses.</p>"
              "<p>In the <b>sample grid</b> every <b>column</b> is one combination of categories and every "
              "<b>row</b> one fixed z. Along a column only z changes: the images should differ (the "
              "z-diversity beside the grid says by how much; red means the rows are identical). Along a "
              "row only the code changes: that is what a cluster looks like.</p>"
              "<p>With the codebook on, each category of each label has a <b>page</b>, a learned vector "
              "the generator reads. The <b>Codebook</b> tab shows the pages, edits them (Ctrl+Z undoes) "
              "and mixes pages with sliders, previewing the result.</p>"
              "<p>The <b>Clusters</b> tab runs Q over the real images: which cluster each image falls in, "
              "how sure Q is, and, when the data has labels, how the clusters match them.</p>"
              "<p><b>Save</b> (Ctrl+S) writes a checkpoint that resumes exactly; File &gt; Export model "
              "writes TorchScript for Python.</p>");
}

} // namespace cgpgan::ui
