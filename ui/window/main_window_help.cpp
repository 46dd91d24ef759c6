// MainWindow's help pages: keyboard shortcuts and Getting started.
#include "window/main_window.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QKeySequence>
#include <QScreen>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace cgpgan::ui {

void MainWindow::showHelpPage(const QString& title, const QString& html)
{
    // A scrolling page (Getting started is taller than a 1024x640 screen),
    // at most the screen's height.
    QDialog dialog(this);
    dialog.setWindowTitle(title);
    auto* text = new QTextBrowser;
    text->setOpenExternalLinks(true);
    text->setHtml(html);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    const QRect screen = this->screen() ? this->screen()->availableGeometry() : QRect(0, 0, 1024, 640);
    dialog.resize(std::min(560, screen.width() - 40), std::min(720, screen.height() - 60));
    dialog.exec();
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
              "<p>The <b>knobs</b> on the left change training from the next step: the learning rates of "
              "G, D and Q; λ r2 (how hard D is kept smooth on real images; raise it when the losses "
              "swing), λ cls (how hard Q learns to read back the code G was given), λ cgp (the classifier "
              "gradient penalty: Q's reading of G's images must not hinge on small pixel changes) and λ ms (mode seeking: G must make different images "
              "from different z). Every change is marked on the charts and listed in the Timeline.</p>"
              "<p>The <b>prior</b> P(c) is how often G is given each category. It starts uniform and, "
              "from the preset's prior start step, follows how often Q finds each category in the real "
              "data, so clusters take the sizes the data has. The knob 'Prior' freezes it or lets it "
              "follow Q at once. <b>Steer</b> it with a right click on a bar: empty a category (its "
              "images go to their next most likely one), pin its mass, revive an empty one, or merge two; "
              "Ctrl+Z takes it back, and the run's config records it so it can be replayed.</p>"
              "<p>The <b>Clusters</b> tab runs Q over the real images: which cluster each image falls in, "
              "how sure Q is, and, when the data has labels, how the clusters match them: "
              "<b>Hungarian ACC</b> (the share of images whose cluster, matched one to one to a class, is "
              "their class), <b>NMI</b> (0 when the cluster says nothing of the class, 1 when it says "
              "all), <b>ARI</b> (0 at chance, 1 identical). Each comes with its chance level. After an "
              "assignment the grid's columns are headed by the class they match.</p>"
              "<p>The <b>Cluster map</b> places every real image by what Q sees in it (PCA or t-SNE of "
              "its features before the last layer): images Q finds alike lie close. Colour it by cluster "
              "or by true label; click a point to see its cluster; drag a lasso to list images.</p>"
              "<p><b>Save</b> (Ctrl+S) writes a checkpoint that resumes exactly; File &gt; Compare with run "
              "draws another run's curves over these; File &gt; Export model writes TorchScript for "
              "Python; File &gt; Export animation writes a latent walk (z, a page sweep or a path of "
              "combinations) as an animated WebP and an MP4.</p>");
}

} // namespace cgpgan::ui
