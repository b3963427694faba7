# The machine-check decoder (kernel/cpu/mce_decode.c): real Intel/AMD errors,
# broken input, seeded fuzz against a model of the SDM's encodings.
test_mce_decode_SRCS := kernel/cpu/mce_decode.c
