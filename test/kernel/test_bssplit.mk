# Splitting usable ranges at boot-services entries (kernel/mem/bssplit.c).
test_bssplit_SRCS := kernel/mem/bssplit.c
