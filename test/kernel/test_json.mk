test_json_SRCS := kernel/lib/json.c kernel/lib/fmt.c
