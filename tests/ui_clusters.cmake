# The cluster browser: pure ClusterModel checks, and the panel on a real session.
cgpgan_add_test(test_clusters SOURCES test_clusters.cpp LIBS cgpgan::ui cgpgan::core Qt6::Widgets)
