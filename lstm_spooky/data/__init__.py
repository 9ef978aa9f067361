"""The files users bring and get: labelled and unlabelled CSVs read and checked (`corpus`), folders of whole
texts (`documents`), and the submission."""
