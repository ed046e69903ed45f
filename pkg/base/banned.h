#ifndef NF_BANNED_H
#define NF_BANNED_H
/*
 * Functions that are easy to misuse, turned into compile errors (after git's
 * banned.h).  Include this last, after every system header.
 */
#define NF_BANNED(f) sorry_##f##_is_banned_in_newsfold
#undef strcpy
#define strcpy(a, b) NF_BANNED(strcpy)
#undef strcat
#define strcat(a, b) NF_BANNED(strcat)
#undef strncpy
#define strncpy(a, b, c) NF_BANNED(strncpy)
#undef sprintf
#define sprintf(...) NF_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) NF_BANNED(vsprintf)
#undef strtok
#define strtok(a, b) NF_BANNED(strtok)
#undef gmtime
#define gmtime(t) NF_BANNED(gmtime)
#undef localtime
#define localtime(t) NF_BANNED(localtime)
#undef asctime
#define asctime(t) NF_BANNED(asctime)
#undef ctime
#define ctime(t) NF_BANNED(ctime)
#endif
