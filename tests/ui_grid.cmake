# The live sample grid: layout model, views and the panel on a real controller.
# Qt6::Widgets is found in ui/'s scope only; find it here too for the test.
find_package(Qt6 REQUIRED COMPONENTS Widgets)
cgpgan_add_test(test_grid SOURCES test_grid.cpp LIBS cgpgan::ui cgpgan::core Qt6::Widgets TIMEOUT 300)
