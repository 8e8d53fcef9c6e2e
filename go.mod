module github.com/lucid-auth/lucid

go 1.26
