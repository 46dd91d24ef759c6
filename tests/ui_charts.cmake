# ui/charts: the bounded history behind the charts, and the LossCharts widget.
cgpgan_add_test(test_series_history SOURCES test_series_history.cpp LIBS cgpgan::ui)
cgpgan_add_test(test_loss_charts SOURCES test_loss_charts.cpp LIBS cgpgan::ui cgpgan::core Qt6::Widgets TIMEOUT 120)
