# The codebook editor: page edits and undo/redo against a live controller.
cgpgan_add_test(test_codebook SOURCES test_codebook.cpp LIBS cgpgan::ui cgpgan::core Qt6::Widgets TIMEOUT 120)
