# accord fuzz targets: accord_envelope (signed envelope decoding and verification;
# corpus/accord_envelope/), accord_receipt (receipt bodies; corpus/accord_receipt/),
# accord_document (accord documents; corpus/accord_document/).
detente_fuzzer(accord_envelope
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/accord_envelope_fuzzer.cc
  DEPS detente_accord)
detente_fuzzer(accord_receipt
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/accord_receipt_fuzzer.cc
  DEPS detente_accord)
detente_fuzzer(accord_document
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/accord_document_fuzzer.cc
  DEPS detente_accord)
# workflow_cases_fuzzer: ValidateWorkflowBody for every kind, BuildCases, DueActions,
# ComputeScorecard and ScorecardJson over arbitrary message sets (corpus/workflow_cases/).
detente_fuzzer(workflow_cases
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/workflow_cases_fuzzer.cc
  DEPS detente_accord Boost::json)
