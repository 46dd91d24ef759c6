cgpgan_add_test(test_window SOURCES test_window.cpp LIBS cgpgan::ui cgpgan::core Qt6::Widgets TIMEOUT 300)
