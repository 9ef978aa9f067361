"""The files users bring and get: labelled and unlabelled CSVs read and checked (`corpus`), and the submission."""
