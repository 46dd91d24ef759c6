cgpgan_add_test(test_controller SOURCES test_controller.cpp LIBS cgpgan::ui cgpgan::core TIMEOUT 300)
